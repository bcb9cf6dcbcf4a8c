"""course_lib: the reference library of the deep-learning workbook.

Submodules, one idea each:
  layers/        functional kernels, <op>_forward -> (out, cache), <op>_backward
  modules        Module objects wrapping the kernels, Sequential
  params         flat parameter views of a whole network
  init, clipping initialisers and gradient clipping
  lecture_net    notebook 02's column-convention network (Omega, beta, zeta, alpha, B)
  graph          scalar computational graphs: path enumeration vs backprop
  gradcheck/     numerical gradients, relative error, diagnoses of wrong gradients
  data/          digits, synthetic sets, MNIST IDX reader
  optim/         first-order optimizers, schedules, the training loop
  second_order/  Hessians, Newton, CG, line search, BFGS, L-BFGS, minimize
  selfcheck/     the notebooks' self-checks (reference-free, shipped to students)
  plots/         contours, optimizer trajectories, training curves, gradient-norm bars
  widgets/       ipywidgets explorers: learning rate, training on digits, depth/initialisation
"""
