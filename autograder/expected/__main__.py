"""Write every notebook's expected values to course_lib/selfcheck/expected/<nb>.npz."""
import numpy as np

from autograder.expected import NOTEBOOKS, build
from course_lib.selfcheck.expected import EXPECTED_DIR


def main():
    EXPECTED_DIR.mkdir(exist_ok=True)
    for notebook in NOTEBOOKS:
        values = build(notebook)
        path = EXPECTED_DIR / f"{notebook}.npz"
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **values)  # uncompressed: byte-stable across runs
        tmp.replace(path)
        print(f"wrote {len(values)} arrays to {path}")


if __name__ == "__main__":
    main()
