"""An nbgrader course directory as ``workbook grade``'s input.

    course = find_course("course/")            # or "course/submitted"; None for a flat folder
    course.assignments()                       # {assignment: Assignment} from source/<assignment>/<nb>.ipynb
    course.timestamp("alice", "hw2")           # datetime (UTC, naive) from timestamp.txt, or None
    course.late_plugin()                       # the late-submission plugin nbgrader_config.py names

What is read, as nbgrader reads it:
  nbgrader_config.py   with traitlets' own loader: CourseDirectory.course_id,
                       AssignLatePenalties.plugin_class and the plugin's own
                       settings (e.g. LateSubmissionPlugin.penalty_method);
                       the exchange settings are not used
  source/              the instructor notebooks, any assignment and notebook names
  submitted/<student>/<assignment>/   the notebooks and timestamp.txt
  gradebook.db         due dates and extensions (autograder/exports/nbgrader_gradebook.py)

A custom plugin class named in the config ("late.PenaltyPerHour") is
imported from the course directory as nbgrader imports it, but without
putting the course directory on sys.path: a release's stubbed
``course_lib`` in source/<assignment>/ must never shadow the judge's own.
"""
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import load_source_assignments

CONFIG_FILE = "nbgrader_config.py"
DEFAULT_PLUGIN = "nbgrader.plugins.LateSubmissionPlugin"


class CourseError(ValueError):
    """The course directory cannot be read (its config, or its late-penalty plugin)."""


@dataclass
class Course:
    root: Path
    config: object = None               # traitlets Config
    course_id: str = ""
    problems: list = field(default_factory=list)

    @property
    def db_url(self):
        return f"sqlite:///{(self.root / 'gradebook.db').resolve()}"

    @property
    def submitted(self):
        return self.root / "submitted"

    @property
    def has_source(self):
        return (self.root / "source").is_dir()

    def assignments(self):
        return load_source_assignments(self.root / "source")

    def timestamp(self, student, assignment):
        """The submission's time from its timestamp.txt (nbgrader's parse_utc), or None."""
        from nbgrader.utils import parse_utc

        path = self.submitted / student / assignment / "timestamp.txt"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        if not text:
            return None
        try:
            return parse_utc(text)
        except (ValueError, OverflowError):
            self.problems.append(f"{path}: not a timestamp ({text[:60]!r}); graded as on time")
            return None

    def late_plugin(self):
        """An instance of the configured late-submission plugin, configured as nbgrader would."""
        from nbgrader.preprocessors import AssignLatePenalties

        name = self._plugin_name()
        if name and "." in name and name != DEFAULT_PLUGIN:
            _import_from_course(self.root, name.rpartition(".")[0])
        try:
            assigner = AssignLatePenalties(config=self.config)
            assigner.init_plugin()
        except Exception as exc:  # a plugin that does not import or does not construct
            raise CourseError(f"the late-submission plugin {name or DEFAULT_PLUGIN} of {self.root / CONFIG_FILE} "
                              f"could not be loaded: {type(exc).__name__}: {exc}") from None
        return assigner.plugin_inst

    def _plugin_name(self):
        value = self.config.AssignLatePenalties.get("plugin_class") if self.config is not None else None
        if value is None:
            return ""
        return value if isinstance(value, str) else f"{value.__module__}.{value.__qualname__}"


def find_course(path):
    """The course whose directory is ``path`` (or whose submitted/ is ``path``); None if it is not one."""
    path = Path(path)
    for root in (path, path.parent) if path.name == "submitted" else (path,):
        if root.is_dir() and (root / "submitted").is_dir() and \
                ((root / CONFIG_FILE).is_file() or (root / "source").is_dir()):
            return read_course(root)
    return None


def read_course(root):
    """A Course with its nbgrader_config.py read (an empty config when there is none)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    root = Path(root).resolve()
    config = Config()
    if (root / CONFIG_FILE).is_file():
        try:
            config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
        except Exception as exc:  # the instructor's own file: say where it breaks
            raise CourseError(f"{root / CONFIG_FILE} could not be read: {type(exc).__name__}: {exc}") from None
    course_id = config.CourseDirectory.get("course_id", "") if "CourseDirectory" in config else ""
    return Course(root, config, str(course_id or ""))


def _import_from_course(root, module_name):
    """Import ``module_name`` from the course directory by file, leaving sys.path alone."""
    if module_name in sys.modules or importlib.util.find_spec(module_name.split(".")[0]) is not None:
        return
    parts = module_name.split(".")
    candidates = [root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")]
    for path in candidates:
        if path.is_file():
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
            return
