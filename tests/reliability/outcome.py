"""One row of the reliability table: what a check tried and whether it held.

Each check module returns Outcomes; run.py prints them as a Markdown table
and the pytest files assert `outcome.held` (showing `outcome.problems`).
"""

from dataclasses import dataclass, field


@dataclass
class Outcome:
    check: str                 # what was exercised, e.g. "stress (libc, patched)"
    tried: str = ""            # how much, e.g. "40 rounds, 61,230 calls"
    problems: list = field(default_factory=list)   # one line each; empty means it held
    notes: str = ""            # figures worth reporting, e.g. "412 calls waited"
    seconds: float = 0.0

    @property
    def held(self):
        return not self.problems

    def fail(self, line):
        self.problems.append(line)

    def explain(self):
        head = "%s: %s" % (self.check, self.tried)
        return "\n".join([head] + ["  " + p for p in self.problems[:20]] +
                         (["  ... %d more" % (len(self.problems) - 20)]
                          if len(self.problems) > 20 else []))


def table(outcomes):
    lines = ["| check | tried | held | notes | seconds |",
             "|---|---|---|---|---:|"]
    for o in outcomes:
        held = "yes" if o.held else "NO: " + o.problems[0].replace("|", "/")[:120]
        lines.append("| %s | %s | %s | %s | %.1f |" % (o.check, o.tried, held,
                                                     o.notes.replace("|", "/"), o.seconds))
    return "\n".join(lines)
