"""Listen: drills from the scenarios. The program knocks; the trainee answers as soon as they know.

Each trial is rendered with its scenario's medium, noise and distance and played; the reaction time runs from the
moment the last knock actually reached the output (the playback engine's time), to the key press (stamped when it
reached the window). An answer before that moment is a false start. Trials that ask the trainee to knock (send a
signal, or reply in an exchange) take knocks from the space bar, the mouse or the microphone. Every answer is
saved in the records the moment it is given.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

import pygame

from rescue_signals.app.answers import CountEntry, answer_key, label_text
from rescue_signals.app.drawing import draw_panel, draw_text, text_height
from rescue_signals.app.hearing import Override, describe_conditions, render_heard
from rescue_signals.app.knockpad import KnockPad
from rescue_signals.app.logbook import Logbook
from rescue_signals.app.phases import Phases
from rescue_signals.app.scene import Scene, row
from rescue_signals.app.timeline import draw_beats, draw_flash
from rescue_signals.codebook import HEADCOUNT
from rescue_signals.protocol import read_exchange

MAX_KEYED = 9  # drills 1-9 have a number key; the rest are reached with Tab and the arrows


class Phase(StrEnum):
    """Where a drill on the Listen screen is."""

    CHOOSE = "choose"  # the list of drills
    PREPARE = "prepare"  # a trial's sound is being made
    PLAY = "play"  # it plays
    ANSWER = "answer"  # heard: the trainee names it
    KNOCK = "knock"  # the trainee knocks
    FEEDBACK = "feedback"  # the answer, right or wrong
    SUMMARY = "summary"  # the drill's score


_TRIAL_STARTS = frozenset({Phase.PREPARE, Phase.ANSWER, Phase.KNOCK, Phase.SUMMARY})
TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.CHOOSE: _TRIAL_STARTS,  # a drill begins (or, resumed with every answer given, is scored)
    Phase.PREPARE: frozenset({Phase.PLAY, Phase.FEEDBACK}),  # the sound is ready, or an answer came first
    Phase.PLAY: frozenset({Phase.ANSWER, Phase.KNOCK, Phase.FEEDBACK}),  # the last knock is heard, or a false start
    Phase.ANSWER: frozenset({Phase.FEEDBACK}),  # an answer, or the time is up
    Phase.KNOCK: frozenset({Phase.FEEDBACK}),
    Phase.FEEDBACK: _TRIAL_STARTS,  # the next trial, or the score after the last
    Phase.SUMMARY: _TRIAL_STARTS,  # the drill again
}
"""Every move between phases the Listen screen makes; any other is a mistake in the scene."""


class ListenScene(Scene):
    title_key = "listen.title"
    phase = Phases(TRANSITIONS)

    def __init__(self, app, scenario=None):
        super().__init__(app)
        from rescue_signals.drill import load_scenario, shipped_scenarios

        extra = [load_scenario(p, app.codebook) for p in app.scenario_paths]
        self.scenarios = extra + [s for s in shipped_scenarios() if s.codebook_id == app.codebook.id]
        self.scenario = None
        self.pad = KnockPad(app)
        self.logbook = Logbook(app)
        self.override = Override()
        self.count = CountEntry()  # a headcount being typed
        self._chosen_once = False
        if scenario is not None:
            self.begin(scenario)

    # -- flow ---------------------------------------------------------------------------------------------------
    def begin(self, scenario, *, resume: bool = True):
        self.scenario = scenario
        self.drill = self.logbook.open_drill(scenario, resume=resume)
        self.app.settings.last_scenario = scenario.id
        self.app.save_settings()
        self.app.log("drill", scenario=scenario.id, trials=self.drill.total, answered=len(self.drill.attempts))
        self.next_trial()

    def next_trial(self):
        self.app.speaker.stop()
        self.trial = self.drill.next_trial()
        self.attempt = None
        self.recorded = True  # the latest answer was saved
        self.cue = None
        self.rendering = None
        self.count = CountEntry()
        self.pad.reset(expected=None)
        if self.trial is None:
            self.finish()
            return
        # what the trainee picked to hear it through; the saved trial says what was really played
        self.trial = replace(self.trial, conditions=self.override.apply(self.trial.conditions))
        self.future = None
        if self.trial.sequence:
            self.phase = Phase.PREPARE
            self.future = self.app.background(render_heard, self.app.codebook, self.trial.sequence,
                                              listener=self.trial.trainee_role, seed=self.trial.seed,
                                              conditions=self.trial.conditions)
        else:
            self._start_answering(self.app.now_s())
        self.rebuild()

    def _start_answering(self, heard_s: float):
        self.heard_s = heard_s
        self.phase = Phase.KNOCK if self.trial.knocked else Phase.ANSWER
        self.app.log("heard", trial=self.trial.index, heard_s=heard_s, task=self.trial.task)
        if self.trial.knocked:  # the answer buttons of a recognition stay as they are: no work while sound plays
            self.rebuild()

    def finish(self):
        from rescue_signals.drill import score

        self.phase = Phase.SUMMARY
        self.score = score(self.drill.attempts, self.scenario)
        self.logbook.finish(self.score)
        self.app.log("summary", accuracy=self.score.accuracy, trials=self.score.trials)
        self.rebuild()

    def submit(self, answer, *, answered_s: float | None, knock_times_s=()):
        from rescue_signals.drill import Response

        heard_s = self._heard_s()
        if self.cue is not None and answered_s is not None and answered_s < heard_s:
            self.app.speaker.stop()  # a false start: no need to hear the rest
        response = Response(answer, heard_s, answered_s, tuple(knock_times_s), visual_beats=self.app.visual_beats)
        self.attempt = self.drill.answer(self.trial, response)
        self.recorded = self.logbook.save(self.attempt)
        self.app.log("answer", trial=self.trial.index, answer=answer, answered_s=answered_s, heard_s=heard_s,
                     reaction_s=self.attempt.reaction_s, correct=self.attempt.correct,
                     false_start=self.attempt.false_start)
        self.phase = Phase.FEEDBACK
        self.pad.close()
        self.rebuild()

    def _heard_s(self) -> float:
        """When the last played knock reached the trainee (predicted from the schedule if still to come)."""
        if self.cue is None:
            return self.heard_s
        heard = self.cue.heard_times_s()
        if len(heard) == len(self.cue.offsets_s):
            return heard[-1]
        return self.cue.start_s + self.cue.offsets_s[-1]

    def replay(self):
        if self.rendering is not None:
            self.cue = self.app.speaker.play_rendering(self.rendering)

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        bottom = pygame.Rect(rect.x, rect.bottom - 56, rect.width, 56)
        if self.phase == Phase.CHOOSE:
            area = self._list_rect(rect)
            rows = (len(self.scenarios) + 1) // 2
            height = min(52, (area.height - 8 * rows) // max(1, rows))
            width = (area.width - 12) // 2
            for i, scenario in enumerate(self.scenarios):
                r = pygame.Rect(area.x + (i // rows) * (width + 12), area.y + (i % rows) * (height + 8), width, height)
                label = self.app.t(scenario.title)
                unfinished = self.logbook.unfinished(scenario)
                if unfinished is not None:
                    label += " · " + self.text("listen.resume", n=unfinished.trials_saved)
                button = self.button(r, label, lambda s=scenario: self.begin(s),
                                     key=pygame.K_1 + i if i < MAX_KEYED else None)
                if scenario.id == self.app.settings.last_scenario and not self._chosen_once:
                    self._chosen_once = True
                    self.focus_on(button)
            picks = pygame.Rect(rect.x, rect.bottom - 52, rect.width, 52)
            for r, (name, key) in zip(row(picks, 3), (("medium", pygame.K_m), ("noises", pygame.K_n),
                                                      ("distance_m", pygame.K_d))):
                self.button(r, self.override.label(self.app, name), lambda n=name: self._cycle(n), key=key)
        elif self.phase in (Phase.PREPARE, Phase.PLAY, Phase.ANSWER) and not self.trial.knocked:
            choices = self._choices()
            for i, (r, (label, action, key)) in enumerate(zip(row(bottom, len(choices), gap_px=10), choices)):
                button = self.button(r, label, action, key=key)
                if i == 0 and self.phase == Phase.PREPARE:
                    self.focus_on(button)
        elif self.phase in (Phase.PREPARE, Phase.PLAY, Phase.KNOCK):
            self.button(pygame.Rect(rect.right - 260, rect.y, 260, 48), self.text("knock.mic"),
                        self.pad.toggle_mic, key=pygame.K_m)
        elif self.phase == Phase.FEEDBACK:
            buttons = [(self.text("listen.replay"), self.replay, pygame.K_r)] if self.rendering is not None else []
            buttons.append((self.text("listen.next"), self.next_trial, pygame.K_n))
            for r, (label, action, key) in zip(row(bottom, len(buttons)), buttons):
                nxt = self.button(r, label, action, key=key)
            self.focus_on(nxt)
        elif self.phase == Phase.SUMMARY:
            buttons = [(self.text("listen.again"), lambda: self.begin(self.scenario), pygame.K_a),
                       (self.text("app.home"), self.back, pygame.K_h)]
            for r, (label, action, key) in zip(row(bottom, 2), buttons):
                self.button(r, label, action, key=key)

    def _cycle(self, name: str):
        self.override.cycle(name)
        self.rebuild()

    def _choices(self):
        """(label, action, key) for each answer the trial offers."""
        out = []
        for choice in self.trial.choices:
            key = answer_key(self.app.codebook, choice)
            if choice == HEADCOUNT:
                out.append((label_text(self.app, choice), self._answer_count, key))
            else:
                out.append((label_text(self.app, choice), lambda c=choice: self._answer(c), key))
        return out

    def _answer(self, label):
        if self.phase != Phase.PREPARE:
            self.submit(label, answered_s=self.app.input_s)

    def _answer_count(self):
        self.count.start()
        self.rebuild()

    def on_key(self, event):
        recognising = self.phase in (Phase.PLAY, Phase.ANSWER) and not self.trial.knocked
        if recognising and self.count.open:
            number = self.count.key(event)
            if number is not None:
                self.submit(number, answered_s=event.time_s)
            else:
                self.rebuild()
            return True, None
        if self.phase in (Phase.PLAY, Phase.KNOCK) and self.trial.knocked and self.pad.handle_event(event):
            return True, None
        if self.phase == Phase.FEEDBACK and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.next_trial()
            return True, None
        return False, None

    def on_other(self, event):
        if event.type == pygame.MOUSEBUTTONDOWN and self.phase in (Phase.PLAY, Phase.KNOCK) and self.trial.knocked:
            self.pad.handle_event(event)
        return None

    # -- time ---------------------------------------------------------------------------------------------------
    def update(self, dt_s):
        now = self.app.now_s()
        if self.phase == Phase.PREPARE and self.future is not None and self.future.done():
            self.rendering = self.future.result()
            self.cue = self.app.speaker.play_rendering(self.rendering)
            self.app.log("play", trial=self.trial.index, offsets_s=list(self.cue.offsets_s))
            self.phase = Phase.PLAY
        if self.phase == Phase.PLAY and self.cue is not None and self.cue.all_heard():
            self._start_answering(self.cue.heard_times_s()[-1])
        if self.phase in (Phase.PLAY, Phase.KNOCK) and self.trial.knocked:
            if self.pad.update() and self.phase == Phase.KNOCK:
                self.submit(None, answered_s=None, knock_times_s=self.pad.knocks)
        if self.phase in (Phase.ANSWER, Phase.KNOCK) and not self.pad.knocks:
            if now - self.heard_s > self.trial.time_limit_s:
                self.submit(None, answered_s=None)
        return None

    def animating(self) -> bool:
        return self.phase in (Phase.PREPARE, Phase.PLAY, Phase.ANSWER, Phase.KNOCK)  # a trial runs: its sound, knocks, time limit

    def leave(self):
        self.pad.close()
        super().leave()

    # -- drawing ------------------------------------------------------------------------------------------------
    def footer_hint(self) -> str:
        return ""

    def draw_content(self, surface, rect):
        theme, app = self.app.theme, self.app
        if self.phase == Phase.CHOOSE:
            draw_text(surface, self.text("listen.choose"), rect.topleft, theme.font(24, bold=True), theme.text)
            if self.scenarios:
                self._draw_scenario(surface, self.scenarios[min(self._focus, len(self.scenarios) - 1)], rect)
            return
        if self.phase == Phase.SUMMARY:
            self._draw_summary(surface, rect)
            return
        trial = self.trial
        head = (f"{app.t(self.scenario.title)} · " + self.text("listen.trial", i=trial.index + 1, n=self.drill.total)
                + " · " + describe_conditions(app, trial.conditions))
        draw_text(surface, head, rect.topleft, theme.font(19), theme.muted, width_px=rect.width - 280)
        y = rect.y + 36
        y = self._draw_context(surface, pygame.Rect(rect.x, y, rect.width, rect.height), trial) + 8
        draw_text(surface, app.t(trial.prompt), (rect.x, y), theme.font(28, bold=True), theme.text,
                  width_px=rect.width)
        stage = pygame.Rect(rect.x, y + 50, rect.width, rect.bottom - y - 50 - 70)
        if self.phase == Phase.FEEDBACK:
            self._draw_feedback(surface, stage)
        elif trial.knocked and self.phase == Phase.KNOCK:
            self.pad.draw(surface, stage)
        else:
            self._draw_listening(surface, stage)
        if self.count.open:
            draw_text(surface, self.text("exchange.enter_count") + f": {self.count.digits}_", (rect.x, stage.bottom - 30),
                      theme.font(22, bold=True), theme.accent)

    @staticmethod
    def _list_rect(rect):
        return pygame.Rect(rect.x, rect.y + 44, int(rect.width * 0.6), rect.height - 56 - 64)

    def _draw_scenario(self, surface, s, rect):
        """The highlighted drill: what it is about and what it takes to pass."""
        app, theme = self.app, self.app.theme
        area = self._list_rect(rect)
        box = pygame.Rect(area.right + 24, area.y, rect.right - area.right - 24, area.height)
        draw_panel(surface, box, theme)
        x, w = box.x + 20, box.width - 40
        y = draw_text(surface, app.t(s.title), (x, box.y + 16), theme.font(26, bold=True), theme.accent,
                      width_px=w).bottom + 10
        facts = self.text("listen.facts", level=s.level, n=s.trial_count, acc=s.pass_criteria.accuracy)
        notes = [facts] + ([app.t(s.story)] if s.story is not None else [])
        room = box.bottom - 12 - y
        for size in (20, 18, 16, 14):  # the summary, and two sizes smaller the facts and the story
            big, small = theme.font(size), theme.font(size - 2)
            need = text_height(app.t(s.summary), big, w) + sum(text_height(t, small, w) + 10 for t in notes) + 10
            if need <= room:
                break
        y = draw_text(surface, app.t(s.summary), (x, y), big, theme.text, width_px=w).bottom + 10
        for note in notes:
            y = draw_text(surface, note, (x, y), small, theme.muted, width_px=w).bottom + 10

    def _draw_context(self, surface, rect, trial) -> int:
        """The groups already exchanged before this trial, with their meaning; returns the y below them."""
        if not trial.context:
            return rect.y
        app, theme = self.app, self.app.theme
        readings = read_exchange(app.codebook, trial.context)
        y = rect.y
        for reading in readings:
            who = app.role_name(reading.sender) if reading.sender else "?"
            colour = theme.role_colour(app.role_index(reading.sender)) if reading.sender else theme.muted
            draw_text(surface, f"{who}: {reading.count} — {app.t(reading.meaning)}", (rect.x, y), theme.font(20),
                      colour, width_px=rect.width)
            y += 30
        return y

    def knocking_role(self, heard: int) -> str | None:
        """Who is knocking once ``heard`` knocks of the trial's sound have been heard: the sender of the group the
        latest knock belongs to (the other side's call when the trainee is to reply to it)."""
        trial = self.trial
        if self.rendering is not None and self.rendering.knocks:
            knock = self.rendering.knocks[min(max(heard, 1), len(self.rendering.knocks)) - 1]
            return self.rendering.groups[knock.group].role
        return trial.sequence[0].sender if trial.sequence else None

    def listening_caption(self) -> str:
        """Who is knocking now, as the screen says it while the trial's sound plays ("" when it cannot be told)."""
        heard = self.cue.heard_times_s() if self.cue is not None else []
        sender = self.knocking_role(len(heard))
        return self.text("listen.sender", role=self.app.role_name(sender)) if sender else ""

    def _draw_listening(self, surface, rect):
        app, theme = self.app, self.app.theme
        heard = self.cue.heard_times_s() if self.cue is not None else []
        sender = self.knocking_role(len(heard))
        colour = theme.role_colour(app.role_index(sender)) if sender else theme.accent
        caption = self.listening_caption()
        if caption:
            draw_text(surface, caption, (rect.x, rect.y), theme.font(22), colour)
        if app.visual_beats:
            since = app.now_s() - heard[-1] if heard else None
            size = min(220, rect.height - 40)
            draw_flash(surface, pygame.Rect(rect.centerx - size // 2, rect.y + 30, size, size), theme,
                       since_s=since, colour=colour)
            # only the knocks heard so far: drawing the rest would give the answer away
            if heard and self.cue is not None:
                t0 = self.cue.start_s
                times = [t - t0 for t in heard]
                line = pygame.Rect(rect.x + 40, rect.y + size + 50, rect.width - 80, 50)
                draw_beats(surface, line, theme, times, span_s=max(self.cue.duration_s, 1.0), colour=colour,
                           labels=False)
        else:
            draw_text(surface, self.text("listen.listening"), (rect.x, rect.y + 60), theme.font(40, bold=True),
                      theme.muted, width_px=rect.width, align="center")

    def _draw_feedback(self, surface, rect):
        app, theme, a = self.app, self.app.theme, self.attempt
        exp = self.trial.expected
        answer = f"{exp.count} — {app.t(exp.meaning)}"
        if a.false_start:
            verdict, colour = self.text("listen.false_start"), theme.bad
        elif a.timed_out and a.given == "none":
            verdict, colour = self.text("listen.timeout", answer=answer), theme.bad
        elif a.correct:
            verdict, colour = self.text("listen.correct") + f" {answer}", theme.good
        else:
            verdict, colour = self.text("listen.wrong", answer=answer), theme.bad
        y = draw_text(surface, verdict, rect.topleft, theme.font(30, bold=True), colour, width_px=rect.width).bottom
        if not self.recorded:
            y = draw_text(surface, self.text("listen.not_recorded"), (rect.x, y + 6), theme.font(24, bold=True),
                          theme.bad, width_px=rect.width).bottom
        if a.reaction_s is not None and not a.false_start:
            y = draw_text(surface, self.text("listen.reaction", s=a.reaction_s), (rect.x, y + 6),
                          theme.font(24), theme.text).bottom
        if self.trial.knocked and a.given_count is not None:
            y = draw_text(surface, self.text("knock.count_ok", n=a.given_count) if a.correct else
                          self.text("knock.count_bad", got=a.given_count, want=exp.count), (rect.x, y + 6),
                          theme.font(22), theme.text).bottom
            if a.interval_error_s is not None:
                spread = (a.interval_cv or 0) * (a.mean_interval_s or 0)
                y = draw_text(surface, self.text("knock.spacing", mean=a.interval_error_s * 1000, std=spread * 1000),
                              (rect.x, y + 6), theme.font(22), theme.text).bottom
            self.pad.draw_timeline(surface, pygame.Rect(rect.x + 30, y + 20, rect.width - 60, 60))
            y += 100
        elif self.rendering is not None:
            knocks = [k.time_s for k in self.rendering.knocks]
            lit = len(self.cue.heard_times_s()) if self.cue is not None and not self.cue.done else None
            sender = exp.sender
            colour = theme.role_colour(app.role_index(sender)) if sender else theme.accent
            draw_beats(surface, pygame.Rect(rect.x + 30, y + 16, rect.width - 60, 60), theme, knocks,
                       span_s=self.rendering.duration_s, colour=colour, lit=lit)
            y += 100
        if self.trial.note is not None:
            draw_text(surface, app.t(self.trial.note), (rect.x, y + 8), theme.font(20), theme.muted,
                      width_px=rect.width)

    def _draw_summary(self, surface, rect):
        app, theme, s = self.app, self.app.theme, self.score
        median_s = s.latency_median_s or 0.0
        summary = self.text("listen.summary", correct=s.accepted, total=s.trials, s=median_s)
        y = draw_text(surface, summary, rect.topleft,
                      theme.font(30, bold=True), theme.good if s.passed else theme.text, width_px=rect.width).bottom
        verdict = self.text("listen.passed") if s.passed else self.text("listen.not_passed")
        y = draw_text(surface, verdict, (rect.x, y + 10), theme.font(24), theme.good if s.passed else theme.warn,
                      width_px=rect.width).bottom
        for failure in s.failures:
            y = draw_text(surface, "· " + app.t(failure), (rect.x, y + 4), theme.font(20), theme.muted,
                          width_px=rect.width).bottom
        if s.false_starts:
            y = draw_text(surface, self.text("listen.false_starts", n=s.false_starts), (rect.x, y + 8),
                          theme.font(20), theme.warn).bottom
        for mistake in s.confusion.mistakes()[:5]:
            expected, given, n = mistake
            y = draw_text(surface, self.text("listen.confused", expected=label_text(app, expected),
                                             given=label_text(app, given), n=n), (rect.x, y + 4), theme.font(20),
                          theme.muted, width_px=rect.width).bottom
        self._draw_trials(surface, pygame.Rect(rect.x, y + 16, rect.width, rect.bottom - y - 80))

    def _draw_trials(self, surface, rect):
        """One line per trial: what it was, what was answered, how fast."""
        app, theme = self.app, self.app.theme
        line_h = 30
        for i, a in enumerate(self.drill.attempts[: max(0, rect.height // line_h)]):
            exp = a.trial.expected
            given = label_text(app, a.given) + (f" {a.given_count}" if a.given_count is not None else "")
            ms = "—" if a.reaction_s is None else f"{a.reaction_s * 1000:.0f} ms"
            mark = "✓" if a.accepted else "×"
            text = self.text("listen.trial_line", i=a.trial.index + 1, expected=label_text(app, exp.label),
                             n=exp.count, given=given, ms=ms)
            draw_text(surface, f"{mark} {text}", (rect.x, rect.y + i * line_h), theme.font(19),
                      theme.text if a.accepted else theme.bad, width_px=rect.width)

