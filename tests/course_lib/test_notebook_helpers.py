"""needs(...): a demo cell that calls a stub prints what to write instead of a traceback."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from course_lib.notebook_helpers import missing_message, needs


def conv2d_forward(x):
    raise NotImplementedError()


def conv2d_backward(dout):
    return dout


class Momentum:
    def step(self, theta):
        raise NotImplementedError()


def test_names_the_stub_that_raised_and_its_section(capsys):
    with needs(conv2d_forward="§3", conv2d_backward="§4") as block:
        conv2d_backward(1.0)
        conv2d_forward(1.0)
        raise AssertionError("the block must stop at the stub")
    out = capsys.readouterr().out.strip()
    assert out == "needs `conv2d_forward` from §3: write it first, run its cell, then run this cell again."
    assert block.missing


def test_names_the_class_of_a_method_stub(capsys):
    with needs(SGD="§1", Momentum="§3"):
        Momentum().step(0.0)
    assert capsys.readouterr().out.startswith("needs `Momentum` from §3: write it first")


def test_lists_every_function_when_the_raiser_is_not_listed(capsys):
    with needs(forward_pass="§2", backward_pass="§3"):
        raise NotImplementedError
    assert capsys.readouterr().out.startswith("needs `forward_pass` from §2 and `backward_pass` from §3:")


def test_a_written_function_runs_the_whole_block(capsys):
    ran = []
    with needs(conv2d_backward="§4") as block:
        ran.append(conv2d_backward(2.0))
    assert ran == [2.0] and not block.missing
    assert capsys.readouterr().out == ""


def test_other_errors_keep_their_traceback():
    with pytest.raises(ZeroDivisionError), needs(conv2d_forward="§3"):
        float("1") / 0


def test_closes_the_figures_the_block_opened_and_keeps_the_others():
    before = plt.figure()
    with needs(conv2d_forward="§3"):
        plt.figure()
        conv2d_forward(0.0)
    assert plt.get_fignums() == [before.number]
    plt.close("all")


def test_section_may_be_left_out():
    assert missing_message({"im2col": ""}).startswith("needs `im2col`: write it first")


def test_needs_something():
    with pytest.raises(TypeError):
        needs()
