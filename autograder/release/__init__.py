"""Student releases and the nbgrader course (issue 10).

The release of assignment k is the student notebook of k, the self-check of
k (its module and stored values) and ``course_lib`` with every function or
class a student writes in notebook k or later replaced by a stub that raises
``NotImplementedError("you write <name> in notebook NN")``. References of
earlier notebooks stay whole: their deadlines have passed, and the
experiments of k train networks with them.

    plan      from the syllabus: which names are stubbed, in which module, for release k
    stubs     the source transformation (ast to find, text surgery to keep formatting)
    files     which files of course_lib go into release k (one notebook's self-check only)
    packaging requirements.txt and a small pyproject.toml, pins taken from the project's
    build     one release folder: notebook + stubbed course_lib + packaging
    course    an nbgrader course directory: nbgrader_config.py and source/<assignment>/
    command, course_command   `workbook release` and `workbook course init`
"""
