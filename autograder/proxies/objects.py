"""Proxies: the submission's functions, classes and objects as the check code holds them.

    relu_forward = RemoteFunction(remote, "relu_forward")    # calling it runs it in the worker
    opt = RemoteClass(remote, "Adam")(lr=1e-3)               # a RemoteObject: the instance stays there
    handle_of(opt)                                           # its Handle in the worker
"""


class RemoteFunction:
    """A function of the submission; calling it runs it in the worker."""

    def __init__(self, remote, name):
        self._remote, self.__name__ = remote, name

    def __call__(self, *args, **kwargs):
        return self._remote.call(self.__name__, args, kwargs)

    @property
    def batch_runner(self):
        """What course_lib.batch.call_many sends a list of calls to: one request for all of them."""
        return self._remote

    @property
    def target(self):
        """What a batch names as this call's target (Worker.call_many)."""
        return self.__name__

    def __repr__(self):
        return f"<submission function {self.__name__}>"


class RemoteClass(RemoteFunction):
    """A class of the submission: calling it makes an instance that stays in the worker.

    ``isinstance(obj, proxy)`` is true for RemoteObjects of that class name.
    """

    def __instancecheck__(self, obj):
        return isinstance(obj, RemoteObject) and handle_of(obj).type_name == self.__name__

    def __repr__(self):
        return f"<submission class {self.__name__}>"


class RemoteObject:
    """An object living in the worker (an instance, a cache, a bound method).

    Attribute reads, method calls, item access and len() are forwarded;
    dunder names other than those are not (numpy's probing of ``__array__``
    and the like gets an AttributeError, not a round trip).
    """

    __slots__ = ("_remote", "_handle")

    def __init__(self, remote, handle):
        object.__setattr__(self, "_remote", remote)
        object.__setattr__(self, "_handle", handle)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        remote, handle = self._remote, self._handle
        if remote.is_method(handle.type_name, name):
            return RemoteMethod(remote, handle, name)
        value = remote.get_attr(handle, name)
        if isinstance(value, RemoteObject) and handle_of(value).type_name == "method":
            remote.remember_method(handle.type_name, name)
            return RemoteMethod(remote, handle, name)   # opt.step(...) -> one request, labelled "Adam.step"
        return value

    def __setattr__(self, name, value):
        self._remote.call_method(self._handle, "__setattr__", (name, value), {})

    def __call__(self, *args, **kwargs):
        return self._remote.call_method(self._handle, "__call__", args, kwargs)

    def __len__(self):
        return self._remote.call_method(self._handle, "__len__", (), {})

    def __getitem__(self, key):
        return self._remote.call_method(self._handle, "__getitem__", (key,), {})

    def __setitem__(self, key, value):
        self._remote.call_method(self._handle, "__setitem__", (key, value), {})

    def __iter__(self):
        iterator = self._remote.call_method(self._handle, "__iter__", (), {})
        while True:
            try:
                yield iterator.__next__()
            except StopIteration:
                return

    def __next__(self):
        return self._remote.call_method(self._handle, "__next__", (), {})

    def __bool__(self):
        return True

    def __repr__(self):
        return f"<submission's {self._handle.type_name} object>"


class RemoteMethod:
    """A method of a RemoteObject, called as ``call_method(handle, name)``."""

    def __init__(self, remote, handle, name):
        self._remote, self._handle, self.__name__ = remote, handle, name

    def __call__(self, *args, **kwargs):
        return self._remote.call_method(self._handle, self.__name__, args, kwargs)

    @property
    def batch_runner(self):
        """What course_lib.batch.call_many sends a list of calls to: one request for all of them."""
        return self._remote

    @property
    def target(self):
        """What a batch names as this call's target (Worker.call_many)."""
        return (self._handle, self.__name__)

    def __repr__(self):
        return f"<method {self.__name__} of the submission's {self._handle.type_name} object>"


_object_classes = {}


def remote_object(remote, handle):
    """A RemoteObject whose class is named after the worker object's type (messages say "Adam")."""
    name = handle.type_name if handle.type_name.isidentifier() else "object"
    cls = _object_classes.get(name)
    if cls is None:
        cls = _object_classes[name] = type(name, (RemoteObject,), {"__slots__": ()})
    return cls(remote, handle)


def make_proxies(remote, names, class_names=()):
    """{name: RemoteFunction or RemoteClass} for the student names of a test."""
    return {n: (RemoteClass if n in class_names else RemoteFunction)(remote, n) for n in names}


def handle_of(obj):
    """The Handle of a RemoteObject (read past its forwarding __getattr__)."""
    return object.__getattribute__(obj, "_handle")
