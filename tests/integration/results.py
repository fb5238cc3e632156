"""PASS/FAIL/SKIP bookkeeping shared by the integration test scripts (standard library only).

Each check prints one line, so a ctest log reads as a list of behaviours; the caller exits
non-zero when `failed` is not zero.
"""


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}", flush=True)
        else:
            self.failed += 1
            self.failures.append(name)
            line = f"FAIL {name}"
            if detail:
                line += ": " + " ".join(str(detail).split("\n"))
            print(line, flush=True)
        return ok

    def skip(self, name, reason):
        """A check this machine cannot make: reported as skipped, never as passed."""
        self.skipped += 1
        print(f"SKIP {name}: {reason}", flush=True)

    def note(self, text):
        print(f"INFO {text}", flush=True)
