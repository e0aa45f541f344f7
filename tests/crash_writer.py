"""The child process of the crash-safety test (tests/test_crash_safety.py): a stream of real service writes
on a desk, one line on stdout after each commit, until it is killed.

    python -m tests.crash_writer writes DATA_DIR SEED      # cases, points entries, risk assessments
    python -m tests.crash_writer backup DATA_DIR TARGET    # backups to TARGET, one after another

Each line is printed only after the write transaction has committed: a line the parent has read names a
write that must survive a SIGKILL.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from sqlmodel import col, select

from app.clock import today
from app.errors import ValidationError
from app.models.risk import RiskRound
from app.models.roster import Household, Person
from app.services import backup, cases, points, risk
from app.services.cases import CaseInput, MediatorInput, PartyInput
from app.services.points import EntryInput
from app.services.risk import AssessInput
from app.store.engine import open_store

RULES = ("A03", "G02", "A02")  # A03 and G02 have no cap and no review: every entry counts at once
FACTORS = ("serious_debt",)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def writes(data_dir: Path, seed: int) -> None:
    from app.cli_support import actor_for

    rng = random.Random(seed)
    store = open_store(data_dir)
    actor = actor_for(store, None)
    with store.read() as session:
        household_ids = list(session.exec(select(Household.id).where(col(Household.retired).is_(False))).all())
        person_ids = list(session.exec(select(Person.id).where(col(Person.retired).is_(False),
                                                                col(Person.household_id).is_not(None))).all())
        round_id = session.exec(select(RiskRound.id).where(col(RiskRound.closed_on).is_(None))).first()
    say("ready")
    i = 0
    while True:
        i += 1
        kind = ("case", "points", "risk")[i % 3]
        try:
            with store.write() as session:
                if kind == "case":
                    a, b = rng.sample(person_ids, 2)
                    row_id = cases.register_case(
                        session, actor,
                        CaseInput(today(), "party_applied", "homestead", f"宅基地边界纠纷 {seed}-{i}",
                                  facts="两家围墙相隔一米。"),
                        [PartyInput("applicant", person_id=a), PartyInput("respondent", person_id=b)],
                        [MediatorInput(actor.display_name, user_id=actor.user_id, is_lead=True)],
                        confirm_duplicate=True,
                    ).id
                elif kind == "points":
                    row_id = points.add_entry(session, actor, EntryInput(rng.choice(household_ids), today(),
                                                                         rng.choice(RULES))).id
                else:
                    if round_id is None:
                        continue
                    row_id = risk.assess(session, actor, round_id, AssessInput(rng.choice(household_ids), FACTORS)).id
        except ValidationError:
            continue  # a cap reached, a household rated at every stage: nothing was written
        say(f"{kind} {row_id}")  # after the commit


def backups(data_dir: Path, target: Path) -> None:
    store = open_store(data_dir)
    say("ready")
    while True:
        info = backup.create_backup(store, target)
        say(f"backup {info.path}")


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "writes":
        writes(Path(argv[1]), int(argv[2]))
    elif mode == "backup":
        backups(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
