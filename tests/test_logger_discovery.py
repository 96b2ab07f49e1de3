"""Which calls are logger calls: receiver globs (`logger_names`), the loggers a module binds,
real-world logger spellings, and logging's own %-style arguments in `after_log` and `suggest`."""

from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from eventmod.analysis.anchors import LoggerNames, inspect_log_call, log_call_of, module_loggers, glob_regex, DEFAULT_LOGGER_NAMES
from eventmod.config import load_config
from eventmod.model.problems import InputError
from eventmod.model.spec import Catalog
from eventmod.suggest import drafts as S
from tests.conftest import FIXTURE, Eventmod

EVENT_LOGGER = FIXTURE / "core" / "event_logger.py"


def _module(code: str) -> ast.Module:
    return ast.parse(textwrap.dedent(code))


def _bound(code: str) -> frozenset[str]:
    return module_loggers(_module(code), glob_regex(DEFAULT_LOGGER_NAMES))


def _call(code: str, loggers: LoggerNames | None = None):
    tree = _module(code)
    stmt = tree.body[-1]
    if isinstance(stmt, ast.AsyncFunctionDef):
        stmt = stmt.body[-1]
    return inspect_log_call(stmt, loggers or LoggerNames.of(tree))


# -- module-level loggers ------------------------------------------------------------------------
@pytest.mark.parametrize("code, name", [
    ("import logging\naudit = logging.getLogger('app.audit')", "audit"),
    ("from logging import getLogger\nout = getLogger(__name__)", "out"),
    ("from logging import getLogger as gl\nout = gl(__name__)", "out"),
    ("import logging\nchild = logging.getLogger(__name__).getChild('jobs')", "child"),
    ("import structlog\nslog = structlog.get_logger()", "slog"),
    ("import structlog\nslog = structlog.stdlib.get_logger().bind(component='queue')", "slog"),
    ("from celery.utils.log import get_task_logger\ntask_out = get_task_logger(__name__)", "task_out"),
    ("from loguru import logger as lg", "lg"),
    ("import logging\nj: logging.Logger = logging.getLogger('x')", "j"),
    ("import logging\nbase = logging.getLogger('x')\nalias = base", "alias"),
    ("from app.log import access_logger as acc", "acc"),  # imported under a logger-like name
    ("import logging\ntry:\n    import structlog\n    L = structlog.get_logger()\nexcept ImportError:\n    L = logging.getLogger()", "L"),
    ("import logging\nif True:\n    dispatcher = logging.getLogger('bot.dispatcher')", "dispatcher"),
])
def test_module_level_bindings_are_loggers(code, name):
    assert name in _bound(code)


def test_class_attributes_are_loggers_through_self_cls_and_the_class():
    bound = _bound("""\
        import logging
        class Worker:
            journal = logging.getLogger('worker')
            def run(self):
                inner = logging.getLogger('not module level')
        """)
    assert {"self.journal", "cls.journal", "Worker.journal"} <= bound
    assert "inner" not in bound and "self.inner" not in bound


def test_non_logger_bindings_are_not_loggers():
    bound = _bound("""\
        import logging
        queue = make_queue()
        level = logging.INFO
        handler = logging.StreamHandler()
        def f():
            local = logging.getLogger('x')
        """)
    assert not bound & {"queue", "level", "handler", "local"}


# -- call shapes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("code, receiver, level", [
    ("from aiogram import loggers\nloggers.dispatcher.info('Start polling')", "loggers.dispatcher", "info"),  # aiogram
    ("web_logger.warning('Error handling request')", "web_logger", "warning"),  # aiohttp's module loggers
    ("self.logger.error('x')", "self.logger", "error"),
    ("self._log.debug('x')", "self._log", "debug"),
    ("cls.log.info('x')", "cls.log", "info"),
    ("LOG.critical('x')", "LOG", "critical"),
    ("self.app.logger.info('x')", "self.app.logger", "info"),
    ("logging.warning('root logger')", "logging", "warning"),
    ("logging.getLogger(__name__).info('inline')", "logging.getLogger()", "info"),
    ("get_task_logger(__name__).info('celery')", "get_task_logger()", "info"),
    ("from loguru import logger\nlogger.bind(job=1).info('job done')", "logger", "info"),
    ("from loguru import logger\nlogger.opt(exception=True).error('boom')", "logger", "error"),
    ("from loguru import logger\nlogger.success('ok')", "logger", "info"),
    ("self.logger.getChild('x').warning('child')", "self.logger", "warning"),
    ("import logging\nlogger.log(logging.WARNING, 'level given')", "logger", "warning"),
    ("logger.log('ERROR', 'loguru level')", "logger", "error"),
    ("import structlog\nslog = structlog.get_logger()\nasync def f():\n    await slog.ainfo('async')", "slog", "info"),
    ("import logging\nlogger.warn('old spelling')", "logger", "warning"),
])
def test_real_world_logger_spellings_are_recognised(code, receiver, level):
    call = _call(code)
    assert call is not None and call.recognised, call
    assert (call.receiver, call.level) == (receiver, level)


@pytest.mark.parametrize("code", [
    "self.notifier.info('x')",
    "reporter.error('x')",
    "self.out.warning('x')",
])
def test_lookalikes_are_reported_unrecognised_until_configured(code):
    call = _call(code)
    assert call is not None and not call.recognised
    assert log_call_of(ast.parse(code).body[0], LoggerNames()) is None
    configured = LoggerNames.of(ast.parse(code), ("self.notifier", "reporter", "*.out"))
    assert log_call_of(ast.parse(code).body[0], configured) is not None


@pytest.mark.parametrize("code", [
    "warnings.warn('deprecated')",
    "logger.log(custom_level, 'unknown level')",
    "print('x')",
    "self.info('x')",  # not a dotted receiver of a logger
    "data['logger'].info('subscript')",
])
def test_not_logger_calls(code):
    call = _call(code)
    assert call is None or not call.recognised


# -- templates -----------------------------------------------------------------------------------
@pytest.mark.parametrize("code, template", [
    ("logger.warning('job %s expired', job_id)", "job {} expired"),
    ("logger.info('%(name)s done in %(secs).1fs', {'name': n, 'secs': s})", "{} done in {}s"),
    ("logger.info('100%% of %d jobs', n)", "100% of {} jobs"),
    ("logger.info('rate 100%d')", "rate 100%d"),  # no arguments: logging leaves the text alone
    ("logger.info('job {name} done', name=n)", "job {} done"),  # loguru's str.format style
    ("logger.info(f'job {j.id} done')", "job {} done"),
    ("logger.info('job %s done' % j)", "job {} done"),
    ("import logging\nlogger.log(logging.INFO, 'job %s queued', j)", "job {} queued"),
])
def test_templates(code, template):
    assert _call(code).template == template


# -- projects --------------------------------------------------------------------------------------
def _project(tmp_path: Path, code: str, spec: str, extra_config: str = "") -> tuple[Path, Eventmod]:
    root = tmp_path / "proj"
    (root / "core").mkdir(parents=True)
    shutil.copy(EVENT_LOGGER, root / "core" / "event_logger.py")
    (root / "core" / "__init__.py").write_text("")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "jobs.py").write_text(textwrap.dedent(code))
    (root / "event_specs").mkdir()
    (root / "event_specs" / "jobs.yaml").write_text(textwrap.dedent(spec))
    (root / "pyproject.toml").write_text("[tool.eventmod]\nroot = \".\"\n" + extra_config)
    return root, Eventmod(root)


JOBS = """\
    import logging

    log = logging.getLogger(__name__)


    class Reaper:
        async def reap(self, job_id, jobs):
            for j in jobs:
                self.notifier.info("job %s reaped", j)
            log.warning("job %s expired after %d s", job_id, 30)
            return job_id
    """

SPEC = """\
    component: jobs
    file: app/jobs.py
    phase: 1
    days: [1]
    priority: HIGH
    enum_group: Job events
    events:
      - id: job_expired
        event: JOB_EXPIRED
        in: Reaper.reap
        after_log: "{anchor}"
        payload: {{job_id: job_id}}
        severity: WARNING
    """


@pytest.mark.parametrize("anchor", ["job {} expired", "job %s expired", "job {job_id} expired after {} s", "expired after"])
def test_after_log_matches_lazy_percent_arguments(tmp_path, anchor):
    root, eventmod = _project(tmp_path, JOBS, SPEC.format(anchor=anchor))
    result = eventmod("dry-run")
    assert result.exit_code == 0, result.output
    assert "+        await event_logger.log_event(" in result.stdout or "EventType.JOB_EXPIRED" in result.stdout


def test_no_logger_call_names_the_lookalikes_and_the_config_key(tmp_path):
    code = """\
        class Reaper:
            async def reap(self, job_id):
                self.notifier.info("job %s reaped", job_id)
                return job_id
        """
    spec = SPEC.format(anchor="reaped").replace("JOB_EXPIRED", "JOB_REAPED").replace("job_expired", "job_reaped")
    root, eventmod = _project(tmp_path, code, spec)
    result = eventmod("validate")
    assert result.exit_code == 2
    assert "no logger call in the function" in result.output
    assert "self.notifier.info('job {} reaped') (line 3)" in result.output
    assert "`logger_names` in [tool.eventmod]" in result.output and 'logger_names = ["self.notifier"]' in result.output
    # configured: the same spec validates and applies after the notifier's call
    (root / "pyproject.toml").write_text('[tool.eventmod]\nroot = "."\nlogger_names = ["self.notifier"]\n')
    result = eventmod("apply", "--allow-dirty")
    assert result.exit_code == 0, result.output
    lines = (root / "app" / "jobs.py").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "self.notifier.info" in line)
    # right after it: the block (fail-safe by default: `try:`, then the getter)
    assert lines[at + 1].strip() == "try:" and "get_event_logger()" in lines[at + 2], lines
    assert "EventType.JOB_REAPED" in "\n".join(lines[at:])


def test_an_unmatched_text_lists_unrecognised_calls_too(tmp_path):
    root, eventmod = _project(tmp_path, JOBS, SPEC.format(anchor="job {} reaped"))
    result = eventmod("validate")
    assert result.exit_code == 2
    assert "no logger call whose message contains the text" in result.output
    assert "self.notifier.info('job {} reaped')" in result.output and "logger_names" in result.output


@pytest.mark.parametrize("value, shown", [
    ('"self.notifier"', "'self.notifier'"), ("[1, 2]", "[1, 2]"), ('[""]', "['']"), ('["self.out", ""]', "['self.out', '']"),
    ("{a = 1}", "{'a': 1}"), ("true", "True"),
])
def test_logger_names_must_be_a_list_of_patterns(tmp_path, value, shown):
    (tmp_path / "pyproject.toml").write_text(f'[tool.eventmod]\nlogger_names = {value}\n')
    with pytest.raises(InputError) as caught:
        load_config(tmp_path)
    [problem] = caught.value.problems
    assert problem.line == 2
    assert problem.message == ('[tool.eventmod] logger_names: expected a list of glob patterns (non-empty strings), '
                               f'e.g. ["self.audit", "*.log"], got {shown}')


def test_an_empty_logger_names_list_adds_no_pattern(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.eventmod]\nlogger_names = []\n')
    assert load_config(tmp_path).logger_names == ()


def test_logger_names_reach_the_settings(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.eventmod]\nlogger_names = ["self.out", "*.journal"]\n')
    config = load_config(tmp_path)
    assert config.logger_names == ("self.out", "*.journal")
    from eventmod.config import settings_for

    assert settings_for(config).logger_names == ("self.out", "*.journal")


# -- suggest ---------------------------------------------------------------------------------------
def _draft(tmp_path: Path, code: str, logger_names: tuple[str, ...] = ()) -> tuple[S.FileSuggestions, str]:
    root = tmp_path / "proj"
    (root / "core").mkdir(parents=True)
    shutil.copy(EVENT_LOGGER, root / "core" / "event_logger.py")
    (root / "app").mkdir()
    (root / "app" / "mod.py").write_text(textwrap.dedent(code))
    (tmp_path / "specs").mkdir()
    config = load_config(root, root=root, specs=tmp_path / "specs")
    if logger_names:
        import dataclasses

        config = dataclasses.replace(config, logger_names=logger_names)
    [(found, text)] = S.draft(config, Catalog(()), [S.Target("app/mod.py", "mod", "mod")], "debug")
    return found, text


def test_suggest_drafts_real_world_logger_spellings(tmp_path):
    found, text = _draft(tmp_path, """\
        import logging
        import structlog
        from loguru import logger
        from celery.utils.log import get_task_logger
        from aiogram import loggers

        slog = structlog.get_logger()
        task_logger = get_task_logger(__name__)


        class Dispatcher:
            async def start_polling(self, bot_id):
                loggers.dispatcher.info("Start polling for bot %s", bot_id)

            async def feed(self, update_id):
                slog.info("update_handled", update_id=update_id)

            async def work(self, job_id):
                logger.bind(job=job_id).warning("job {} retried", job_id)

            async def task(self, task_id):
                task_logger.error("task %s failed", task_id)

            async def root(self, job_id):
                logging.getLogger(__name__).info("job %s queued", job_id)
        """)
    assert [(e.function, e.event, e.severity) for e in found.entries] == [
        ("Dispatcher.start_polling", "START_POLLING", "INFO"),
        ("Dispatcher.feed", "UPDATE_HANDLED", "INFO"),
        ("Dispatcher.work", "JOB_RETRIED", "WARNING"),
        ("Dispatcher.task", "TASK_FAILED", "ERROR"),
        ("Dispatcher.root", "JOB_QUEUED", "INFO"),
    ]
    # the shortest fragment unique in its function: one word where the function has one call
    assert [e.after_log for e in found.entries] == ["Start polling", "update_handled", "job", "task", "job"]
    assert [e.payload for e in found.entries] == [[("bot_id", "bot_id")], [("update_id", "update_id")],
                                                 [("job_id", "job_id")], [("task_id", "task_id")], [("job_id", "job_id")]]
    assert yaml.safe_load(text)["events"]


def test_suggest_notes_unrecognised_receivers_and_drafts_them_once_configured(tmp_path):
    code = """\
        class Feed:
            async def poll(self, feed_id):
                self.out.info("feed %s polled", feed_id)
                self.out.warning("feed %s stale", feed_id)
        """
    found, _ = _draft(tmp_path / "a", code)
    assert found.entries == []
    [note] = found.notes
    assert "2 call(s) to self.out.<level>(...)" in note and 'logger_names = ["self.out"]' in note
    found, _ = _draft(tmp_path / "b", code, ("self.out",))
    assert [e.event for e in found.entries] == ["FEED_POLLED", "FEED_STALE"]
    assert [e.after_log for e in found.entries] == ["polled", "stale"]


def test_suggest_payload_keys_say_what_the_value_is(tmp_path):
    found, _ = _draft(tmp_path, """\
        import logging

        logger = logging.getLogger(__name__)


        async def fill(order, jobs, o):
            s = order.symbol
            logger.info(f"{s} filled")
            for j in jobs:
                logger.info("job %s expired", j)
            logger.info(f"Order {o} acknowledged")
            p = await fetch_position(order)
            logger.info(f"{p} opened")
            logger.info("%(x)s done", {"x": s})
            result = compute()
            logger.error("Couldn't store %s", result)
        """)
    keys = {e.event: e.payload for e in found.entries}
    assert keys["FILLED"] == [("symbol", "s")]
    assert keys["JOB_EXPIRED"] == [("job", "j")]
    assert keys["ORDER_ACKNOWLEDGED"] == [("order", "o")]
    assert keys["OPENED"] == [("position", "p")]
    assert keys["DONE"] == [("x", "s")]  # a dict key the message names is kept
    assert keys["STORE_FAILED"] == [("result", "result")]  # a word of its own is kept: "store" is a verb


def test_suggest_skips_finally_at_any_depth(tmp_path):
    found, _ = _draft(tmp_path, """\
        import logging

        logger = logging.getLogger(__name__)


        async def run(feed_id, flag):
            try:
                await poll(feed_id)
            finally:
                logger.info("polling stopped for %s", feed_id)
                if flag:
                    logger.warning("feed %s closed dirty", feed_id)
            logger.info("feed %s done", feed_id)
        """)
    assert [e.after_log for e in found.entries] == ["done"]
    assert sum("inside a `finally` block" in n for n in found.notes) == 2


# -- event names -----------------------------------------------------------------------------------
@pytest.mark.parametrize("template, words", [
    ("Closed {} phantom positions: {}", ["PHANTOM", "POSITIONS", "CLOSED"]),
    ("Failed to set stop loss for {}", ["STOP", "LOSS", "SET", "FAILED"]),
    ("Could not cancel zombie {} ({}): {}", ["ZOMBIE", "CANCEL", "FAILED"]),
    ("Unable to connect", ["CONNECT", "FAILED"]),
    ("Position created ATOMICALLY with guaranteed SL", ["POSITION", "CREATED", "ATOMICALLY"]),
    ("Loaded {} jobs from database", ["JOBS", "LOADED"]),
    ("Job {} not found on {}", ["JOB", "NOT", "FOUND"]),
    ("Wave {} already processed, skipping", ["WAVE", "ALREADY", "PROCESSED"]),
    ("Successfully connected to broker {}", ["BROKER", "CONNECTED"]),  # filler dropped, participle last
    ("Found {} tasks without owners", ["TASKS", "WITHOUT", "OWNERS", "FOUND"]),
    ("side conflict - DB: {}, remote: {}; closing record", ["SIDE", "CONFLICT"]),
    ("need {} more workers", ["NEED", "MORE", "WORKERS"]),  # no past participle to move
    ("Couldn't retrieve {}, unexpected error", ["RETRIEVE", "FAILED"]),  # the failed clause ends at the comma
    ("Couldn't set {} in key {}, unexpected error", ["SET", "FAILED"]),
])
def test_event_names_read_like_audit_events(template, words):
    assert S.event_words(template, "f", "info") == words


def test_taken_names_get_a_better_word_before_a_number():
    names = S._Names({"JOB_DONE": "job_done"}, {"job_done": "JOB_DONE"}, set())
    # the message's other words first, then the function's, the class's, and only then _2
    assert S._unique_event(["JOB", "DONE"], names, S.extension_words("Job {} done on worker {}", "Pool.finish")) == "JOB_DONE_WORKER"
    assert S._unique_event(["JOB", "DONE"], names, S.extension_words("Job {} done", "Pool.finish")) == "JOB_DONE_FINISH"
    assert S._unique_event(["JOB", "DONE"], names, S.extension_words("Job {} done", "run")) == "JOB_DONE_2"
    # a word of the same stem says nothing new
    names = S._Names({"STOP_ACTIVATED": "stop_activated"}, {"stop_activated": "STOP_ACTIVATED"}, set())
    assert S._unique_event(["STOP", "ACTIVATED"], names, S.extension_words("Stop activated", "Mgr.activate_stop")) == "STOP_ACTIVATED_MGR"
