"""A one-line progress bar on stderr: submissions done / total, elapsed, rate, ETA.

    progress = Progress(total=40, done=12)     # 12 already graded by an earlier run
    progress.advance()                         # after each submission
    progress.close()                           # the final line

On a terminal the line is redrawn in place (at most 10 times a second).
Anywhere else (a log file, CI) nothing is written until close(), which
prints one summary line. The rate and ETA count only this run's work.
"""
import sys
import time

WIDTH = 24


class Progress:
    def __init__(self, total, done=0, *, stream=None, label="grading", tty=None, clock=time.monotonic):
        self.total, self.done, self.skipped = total, done, done
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.tty = _is_tty(self.stream) if tty is None else tty
        self.clock = clock
        self.start = clock()
        self._last_draw = None
        self._closed = False
        self._draw(force=True)

    def advance(self, n=1):
        self.done += n
        self._draw(force=self.done >= self.total)

    def line(self):
        """The text of the bar as it stands now."""
        elapsed = self.clock() - self.start
        total = max(self.total, 1)
        filled = int(WIDTH * min(self.done, total) / total)
        bar = "#" * filled + "." * (WIDTH - filled)
        fresh = self.done - self.skipped
        rate = fresh / elapsed if elapsed > 0 and fresh > 0 else 0.0
        remaining = self.total - self.done
        eta = _clock_text(remaining / rate) if rate > 0 else ("0:00" if remaining <= 0 else "--:--")
        text = (f"{self.label} [{bar}] {self.done}/{self.total} submissions | {_clock_text(elapsed)} elapsed"
                f" | {rate:.2f}/s | ETA {eta}")
        if self.skipped:
            text += f" | {self.skipped} already graded"
        return text

    def close(self, message=""):
        """End the bar; a final summary line is written whether or not this is a terminal."""
        if self._closed:
            return
        self._closed = True
        elapsed = _clock_text(self.clock() - self.start)
        fresh = self.done - self.skipped
        summary = (f"{self.label}: {self.done}/{self.total} submissions done ({fresh} graded now"
                   f"{f', {self.skipped} already graded' if self.skipped else ''}) in {elapsed}")
        if message:
            summary += f"; {message}"
        if self.tty:
            self.stream.write("\r" + self.line() + "\n")
        self.stream.write(summary + "\n")
        self.stream.flush()

    def _draw(self, force=False):
        if not self.tty or self._closed:
            return
        now = self.clock()
        if not force and self._last_draw is not None and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()


def _is_tty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _clock_text(seconds):
    seconds = int(round(max(seconds, 0)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
