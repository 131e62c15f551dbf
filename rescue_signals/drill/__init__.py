"""Drills: scenarios from YAML, a trial engine, scoring and adaptive practice. Pure: no audio, no screen.

Typical use by a UI::

    scenario = load_scenario("scenarios/first-lesson.yaml")
    drill = Drill(scenario, codebook, rng=numpy.random.default_rng(seed))
    while (trial := drill.next_trial()) is not None:
        ...play trial.sequence, measure...
        attempt = drill.answer(trial, Response(answer, heard_s=..., answered_s=...))
    result = score(drill.attempts, scenario)

A front end with records runs a :class:`~rescue_signals.drill.session.DrillSession` instead: the same loop, with
the session opened (or an interrupted one continued), every answer stored as it is given, and the score saved.
"""

from rescue_signals.drill.adaptive import (Practice, Profile, Refresher, StaircaseState, draw_weights, refreshers,
                                           snr_threshold_db)
from rescue_signals.drill.engine import Drill
from rescue_signals.drill.scenario import (DEFAULT_TIME_LIMIT_S, Adaptive, DrawStep, ExchangeStep, PassCriteria,
                                           RecogniseStep, Scenario, SendStep, Setting, Staircase, find_scenario,
                                           load_scenario, shipped_scenarios)
from rescue_signals.drill.scoring import W_ACCURACY, W_SPEED, W_TIMING, Confusion, KnockTiming, Score, score
from rescue_signals.drill.trial import (MISCOUNT, NO_ANSWER, RECOGNISE, RESPOND, SEND, UNKNOWN, Attempt, Expected,
                                        Response, Trial, evaluate, label_name)

__all__ = [
    "Adaptive", "Attempt", "Confusion", "DEFAULT_TIME_LIMIT_S", "DrawStep", "Drill", "ExchangeStep", "Expected",
    "KnockTiming", "MISCOUNT", "NO_ANSWER", "PassCriteria", "Practice", "Profile", "RECOGNISE", "RESPOND",
    "RecogniseStep", "Refresher", "Response", "SEND", "Scenario", "Score", "SendStep", "Setting", "Staircase",
    "StaircaseState", "Trial", "UNKNOWN", "W_ACCURACY", "W_SPEED", "W_TIMING", "draw_weights", "evaluate",
    "find_scenario", "label_name", "load_scenario", "refreshers", "score", "shipped_scenarios", "snr_threshold_db",
]
