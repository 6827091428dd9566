"""A fingerprint of everything the shipped scenarios produce (run by hand, before and after a change meant
to leave results as they are: a speed-up, a refactoring).

    .venv/bin/python tests/sim/fingerprint.py

For each shipped scenario, seeds 0 and 1, 200 days: the run summary, the daily table, the event and
decision logs and the DataCollector's rows with events recorded, and the summary of the same run with
daily collection off. One SHA-256 of them all is printed: the same hash means the same outputs, bit for
bit. (The golden baselines hold two summaries and are compared in the tests; this covers every scenario
and every output, and is too slow to run on every change.)
"""

import hashlib

from docsec.scenarios.loader import shipped_names, shipped_scenario
from docsec.sim.model import DocSecModel


def fingerprint(days: int = 200, seeds: tuple[int, ...] = (0, 1)) -> str:
    h = hashlib.sha256()

    def put(value) -> None:
        h.update(repr(value).encode())

    for name in shipped_names():
        sc = shipped_scenario(name)
        params = sc.params.with_overrides({"run.days": days})
        for seed in seeds:
            m = DocSecModel(params, timeline=sc.timeline, office_profiles=sc.office_profiles, record_events=True,
                            rng=seed)
            m.run_days()
            put(sorted(m.summary().items()))
            put(m.daily_table().to_csv())
            put([tuple(e) for e in m.events])
            put([tuple(d) for d in m.decisions_log])
            put(m.datacollector.get_model_vars_dataframe().to_csv())
            quiet = DocSecModel(params, timeline=sc.timeline, office_profiles=sc.office_profiles, rng=seed,
                                collect_daily=False)
            quiet.run_days()
            put(sorted(quiet.summary().items()))
    return h.hexdigest()


if __name__ == "__main__":
    print(fingerprint())
