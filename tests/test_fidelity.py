"""What a real team writes: captured values, wrap-and-continue, any log_event keyword, local
imports per event, and the checks that keep each of them from breaking the caller. Behaviour is
asserted by running the instrumented code (tests.instrumented), text by exact expectations."""

from __future__ import annotations

import pytest

from eventmod.testing import assert_refused, assert_transform, transform
from tests.instrumented import LOGGER, Project, cleanup_modules

HEADER = "from core.event_logger import EventType, get_event_logger\n\n\n"


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


# -- kwargs: any keyword the logger's signature accepts ----------------------------------------
WIDE_LOGGER = {"core/event_logger.py": '''
    from enum import Enum


    class EventType(str, Enum):
        BOT_STARTED = "bot_started"


    class EventLogger:
        async def log_event(self, event_type, event_data, symbol=None, *, customer=None, account_id=None, severity="INFO"):
            pass


    def get_event_logger():
        return None
    '''}

ANY_LOGGER = {"core/event_logger.py": '''
    from enum import Enum


    class EventType(str, Enum):
        BOT_STARTED = "bot_started"


    class EventLogger:
        async def log_event(self, event_type, event_data, **fields):
            pass


    def get_event_logger():
        return None
    '''}

FUNCTION = '''
    async def charge(customer, account, symbol):
        logger.info("charged")
    '''


def test_kwargs_are_written_after_the_shorthands_in_spec_order():
    result = transform(FUNCTION, {"event": "CHARGED", "in": "charge", "after_log": "charged", "symbol": "symbol",
                                  "kwargs": {"customer": "customer.id", "account_id": "account"}},
                       files=WIDE_LOGGER, config={"failsafe": False})
    assert not result.errors, result.messages()
    call = result.text[result.text.index("EventType.CHARGED"):]
    assert call.index("symbol=symbol") < call.index("customer=customer.id") < call.index("account_id=account") < call.index("severity=")


def test_a_keyword_the_signature_does_not_take_names_the_accepted_ones():
    result = assert_refused(FUNCTION, {"event": "CHARGED", "in": "charge", "after_log": "charged", "kwargs": {"tenant": "customer"}},
                            "does not accept `tenant=`", files=WIDE_LOGGER)
    message = result.messages()
    assert "(it takes: symbol, customer, account_id)" in message and "spec.yaml:" in message  # severity is passed by the block


def test_var_keyword_logger_accepts_any_keyword():
    result = transform(FUNCTION, {"event": "CHARGED", "in": "charge", "after_log": "charged",
                                  "kwargs": {"tenant": "customer", "region": "'eu'"}}, files=ANY_LOGGER)
    assert not result.errors and "tenant=customer," in result.text and 'region="eu",' in result.text


@pytest.mark.parametrize("kwargs, message", [
    ({"class": "x"}, "is not a keyword argument name"),
    ({"severity": "'INFO'"}, "`severity` is its own key"),
    ({"symbol": "symbol"}, "is given twice"),
    ({"customer": "lambda: 1"}, "lambda is not allowed"),
])
def test_bad_kwargs_are_located_errors(kwargs, message):
    spec = {"event": "CHARGED", "in": "charge", "after_log": "charged", "symbol": "symbol", "kwargs": kwargs}
    result = assert_refused(FUNCTION, spec, message, files=ANY_LOGGER)
    assert "spec.yaml:" in result.messages()


def test_coerce_accepts_a_kwargs_name():
    result = transform(FUNCTION, {"event": "CHARGED", "in": "charge", "after_log": "charged",
                                  "kwargs": {"account_id": "account"}, "coerce": ["account_id"]}, files=WIDE_LOGGER)
    assert not result.errors and "account_id=int(account)," in result.text


# -- capture ------------------------------------------------------------------------------------
MOVE = '''
    async def move(position, new_stop):
        position.stop = new_stop
        logger.info("moved")
        return position.stop
    '''


def test_capture_goes_right_before_the_mutation_and_is_plain_without_failsafe():
    assert_transform(MOVE, '''
        from core.event_logger import EventType, get_event_logger


        async def move(position, new_stop):
            old_stop = position.stop
            position.stop = new_stop
            logger.info("moved")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.MOVED,
                    {
                        "old": old_stop,
                        "new": new_stop,
                    },
                    severity="INFO",
                )
            return position.stop
        ''', {"event": "MOVED", "in": "move", "after_log": "moved", "capture": {"old_stop": "position.stop"},
              "capture_before": "position.stop = new_stop", "payload": {"old": "old_stop", "new": "new_stop"}},
        config={"failsafe": False})


def test_capture_that_could_raise_is_guarded_when_fail_safe():
    result = transform(MOVE, {"event": "MOVED", "in": "move", "after": "position.stop = new_stop",
                              "capture": {"old_stop": "position.stop", "stop_type": "type(position).__name__"},
                              "payload": {"old": "old_stop"}})
    assert not result.errors, result.messages()
    assert ("    try:\n        old_stop = position.stop\n        stop_type = type(position).__name__\n"
            "    except Exception:\n        old_stop = stop_type = None\n    position.stop = new_stop\n") in result.text


def test_capture_of_a_plain_name_is_never_guarded():
    result = transform(MOVE, {"event": "MOVED", "in": "move", "after": "position.stop = new_stop",
                              "capture": {"requested": "new_stop"}, "payload": {"requested": "requested"}})
    assert "    requested = new_stop\n    position.stop = new_stop\n" in result.text


def test_capture_before_takes_any_anchor_kind():
    code = '''
        async def move(position, new_stop):
            logger.info("moving")
            position.stop = new_stop
            logger.info("moved")
        '''
    result = transform(code, {"event": "MOVED", "in": "move", "after_log": "moved", "capture": {"old_stop": "new_stop"},
                              "capture_before": {"after_log": "moving"}, "payload": {"old": "old_stop"}})
    assert not result.errors, result.messages()
    assert '    logger.info("moving")\n    old_stop = new_stop\n    position.stop = new_stop\n' in result.text


@pytest.mark.parametrize("code, spec, message", [
    pytest.param('''
        async def move(position, new_stop, flag):
            if flag:
                position.stop = new_stop
            logger.info("moved")
        ''', {"capture_before": "position.stop = new_stop"}, "does not come before the block", id="other-branch"),
    pytest.param('''
        async def move(positions, new_stop):
            for position in positions:
                position.stop = new_stop
            logger.info("moved")
        ''', {"capture_before": "position.stop = new_stop"}, "does not come before the block", id="loop-body"),
    pytest.param('''
        async def move(position, new_stop):
            try:
                position.stop = new_stop
            except ValueError:
                logger.info("moved")
        ''', {"capture_before": "position.stop = new_stop"}, "does not come before the block", id="try-body-handler-block"),
    pytest.param('''
        async def move(position, new_stop):
            logger.info("moved")
            limit = new_stop * 2
            position.stop = new_stop
        ''', {"capture_before": "position.stop = new_stop"}, "does not come before the block", id="after-the-block"),
    pytest.param('''
        async def move(position, new_stop):
            old_stop = 1
            position.stop = new_stop
            logger.info("moved")
        ''', {"capture_before": "position.stop = new_stop"}, "capture name `old_stop` is already used", id="name-taken"),
    pytest.param('''
        async def move(position, new_stop):
            position.stop = new_stop
            logger.info("moved", old_stop)
        ''', {"capture_before": "position.stop = new_stop"}, "capture name `old_stop` is already used", id="global-read"),
    pytest.param('''
        async def move(position, new_stop):
            position.stop = new_stop
            previous = new_stop
            logger.info("moved")
        ''', {"capture": {"old_stop": "previous"}, "capture_before": "position.stop = new_stop"}, "capture 'old_stop' uses 'previous'", id="unbound-at-capture-point"),
    pytest.param('''
        async def move(position, new_stop):
            position.stop = new_stop
            logger.info("moved")
        ''', {"capture_before": "position.limit = new_stop"}, "capture_before before: 'position.limit = new_stop' not found", id="anchor-not-found"),
    pytest.param('''
        async def move(position, new_stop):
            position.stop = new_stop
            position.stop = new_stop
            logger.info("moved")
        ''', {"capture_before": "position.stop = new_stop"}, "is ambiguous", id="ambiguous"),
    pytest.param('''
        async def move(position, new_stop):
            if position: position.stop = new_stop
            logger.info("moved")
        ''', {"capture_before": "position.stop = new_stop"}, "shares its line", id="one-line-body"),
])
def test_captures_are_refused_with_the_reason(code, spec, message):
    base = {"event": "MOVED", "in": "move", "after_log": "moved", "capture": {"old_stop": "position.stop"},
            "payload": {"old": "old_stop"}}
    assert_refused(code, {**base, **spec}, message)


@pytest.mark.parametrize("spec, message", [
    ({"capture_before": "x = 1"}, "capture_before without capture"),
    ({"capture": {"__x__": "1"}}, "is not a plain variable name"),
    ({"capture": {"x": "await f()"}}, "await is not allowed"),
    ({"capture": {"x": "1"}, "capture_before": {"on_error": "x"}}, "unknown key 'on_error' in capture_before"),
    ({"capture": {"x": "1"}, "capture_before": {"after": "a", "before": "b"}}, "exactly one anchor"),
])
def test_capture_spec_mistakes_are_located(spec, message):
    result = assert_refused(MOVE, {"event": "MOVED", "in": "move", "after_log": "moved", **spec}, message)
    assert "spec.yaml:" in result.messages()


MOVE_MODULE = '''import logging

logger = logging.getLogger(__name__)


class Position:
    def __init__(self):
        self.stop = None


async def move(position, new_stop):
    position.stop = new_stop
    logger.info("moved")
    return position.stop
'''


def _spec(events: str) -> str:
    return f"component: mod\nfile: app/mod.py\nphase: 1\nevents:\n{events}"


def test_the_captured_old_value_differs_from_the_new_one_at_run_time(tmp_path):
    spec = _spec('''  - {id: e, event: MOVED, in: move, after_log: moved, capture: {old_stop: position.stop},
     capture_before: "position.stop = new_stop", payload: {old: old_stop, new: new_stop}, severity: INFO}
''')
    project = Project(tmp_path, MOVE_MODULE, spec)
    project.apply()
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    position = module.Position()
    import asyncio

    assert asyncio.run(module.move(position, 10)) == 10
    assert asyncio.run(module.move(position, 12)) == 12
    assert recorder.events == [("MOVED", {"old": None, "new": 10}), ("MOVED", {"old": 10, "new": 12})]
    # a capture whose expression fails (no `stop` attribute) is guarded: the caller is unaffected
    bare = object.__new__(module.Position)
    assert asyncio.run(module.move(bare, 3)) == 3
    assert recorder.events[-1] == ("MOVED", {"old": None, "new": 3})


def test_capture_is_idempotent_and_reverted_with_the_block(tmp_path):
    spec = _spec('''  - {id: e, event: MOVED, in: move, after_log: moved, capture: {old_stop: position.stop},
     capture_before: "position.stop = new_stop", payload: {old: old_stop}, severity: INFO}
''')
    project = Project(tmp_path, MOVE_MODULE, spec)
    project.apply()
    applied = project.text()
    assert "0 event(s) inserted, 1 present" in project.apply().output
    assert project.text() == applied
    assert project.cli("revert", "--allow-dirty").exit_code == 0
    assert project.text() == MOVE_MODULE


def test_an_edited_capture_leaves_the_event_to_the_user(tmp_path):
    spec = _spec('''  - {id: e, event: MOVED, in: move, after_log: moved, capture: {old_stop: position.stop},
     capture_before: "position.stop = new_stop", payload: {old: old_stop}, severity: INFO}
''')
    project = Project(tmp_path, MOVE_MODULE, spec)
    project.apply()
    edited = project.text().replace("old_stop = position.stop\n", "old_stop = position.stop or 0\n")
    project.module_path.write_text(edited)
    result = project.cli("revert", "--allow-dirty")
    assert "1 left alone (edited)" in result.output and project.text() == edited


# -- on_error: as, then, message, through --------------------------------------------------------
SAVE_MODULE = '''import logging

logger = logging.getLogger(__name__)


class Repository:
    def __init__(self, fail=None):
        self.fail = fail
        self.saved = []

    async def save(self, item):
        if self.fail is not None:
            raise self.fail
        self.saved.append(item)

    async def commit(self):
        self.saved.append("commit")


async def store(repository, item):
    await repository.save(item)
    await repository.commit()
    logger.info("stored")
    return len(repository.saved)
'''


def _store(project: Project, fail: BaseException | None = None, logger_fail: BaseException | None = None):
    import asyncio

    module, logging_module = project.load()
    recorder = logging_module.EventLogger(fail=logger_fail)
    logging_module.set_event_logger(recorder)
    repository = module.Repository(fail)
    try:
        return asyncio.run(module.store(repository, "x")), None, recorder.events, repository.saved
    except BaseException as exc:  # noqa: BLE001
        return None, exc, recorder.events, repository.saved


def test_then_continue_logs_and_goes_on(tmp_path, caplog):
    spec = _spec('''  - {id: e, event: SAVE_FAILED, in: store, on_error: await repository.save(item), as: db_error, then: continue,
     message: "Failed to save {item}: {db_error}", payload: {error: str(db_error)}, severity: ERROR}
''')
    project = Project(tmp_path, SAVE_MODULE, spec)
    before = _store(project, ValueError("down"))
    assert isinstance(before[1], ValueError)
    project.apply()
    assert "except Exception as db_error:" in project.text() and "raise\n" not in project.text()
    import logging

    with caplog.at_level(logging.ERROR):
        value, error, events, saved = _store(project, ValueError("down"))
    assert error is None and value == 1 and saved == ["commit"]  # went on past the failed write
    assert events == [("SAVE_FAILED", {"error": "down"})]
    assert any(r.getMessage() == "Failed to save x: down" and r.levelname == "ERROR" for r in caplog.records)
    assert _store(project)[:1] == (2,)  # no failure: what the function did before


def test_then_raise_re_raises_the_original_even_when_the_message_and_the_logger_fail(tmp_path):
    spec = _spec('''  - {id: e, event: SAVE_FAILED, in: store, on_error: await repository.save(item),
     message: "Failed to save {item.missing}: {exc}", payload: {error: str(exc)}, severity: ERROR}
''')
    project = Project(tmp_path, SAVE_MODULE, spec)
    project.apply()
    original = KeyError("boom")
    value, error, events, _ = _store(project, original, logger_fail=RuntimeError("logger down"))
    assert error is original and events == []


def test_through_wraps_several_statements_and_reverts(tmp_path):
    spec = _spec('''  - {id: e, event: STORE_FAILED, in: store, on_error: await repository.save(item), through: await repository.commit(),
     payload: {error: str(exc)}, severity: ERROR}
''')
    project = Project(tmp_path, SAVE_MODULE, spec)
    project.apply()
    text = project.text()
    assert "    try:\n        await repository.save(item)\n        await repository.commit()\n    except Exception as exc:\n" in text
    value, error, events, _ = _store(project, ValueError("down"))
    assert isinstance(error, ValueError) and events == [("STORE_FAILED", {"error": "down"})]
    assert "0 event(s) inserted, 1 present" in project.apply().output
    edited = text.replace("        await repository.commit()\n", "        await repository.commit()\n        logger.debug('x')\n")
    project.module_path.write_text(edited)
    assert "the block for STORE_FAILED was found" in project.cli("check").output  # the wrap grew: drift
    project.module_path.write_text(text)
    assert project.cli("revert", "--allow-dirty").exit_code == 0
    assert project.text() == SAVE_MODULE


@pytest.mark.parametrize("code, spec, message", [
    pytest.param('''
        async def store(repository, item):
            await repository.save(item)
        ''', {"through": "await repository.flush()"}, "through 'await repository.flush()'", id="through-missing"),
    pytest.param('''
        async def store(repository, item):
            result = await repository.save(item)
            return result
        ''', {"on_error": "result = await repository.save(item)", "then": "continue"}, "reads after them", id="continue-leaves-unbound"),
    pytest.param('''
        async def store(repository, item):
            return await repository.save(item)
        ''', {"on_error": "return await repository.save(item)", "then": "continue"}, "wraps a `return`", id="continue-return"),
    pytest.param('''
        async def store(repository, item, exc=None):
            await repository.save(item)
        ''', {}, "store's own `exc` is bound at", id="as-name-is-a-parameter"),
    pytest.param('''
        async def store(repository, item):
            await repository.save(item)
            print(error)
        ''', {"as": "error"}, "reads `error` from an outer scope", id="as-name-is-a-global"),
    pytest.param('''
        async def store(repository, item):
            await repository.save(item)
        ''', {"message": "failed {itme}"}, "message uses 'itme'", id="message-unbound-name"),
    pytest.param('''
        async def store(repository, item):
            await repository.save(item)
        ''', {"message": "failed {__import__('os')}"}, "not allowed", id="message-policy"),
])
def test_on_error_options_are_refused_with_the_reason(code, spec, message):
    base = {"event": "SAVE_FAILED", "in": "store", "on_error": "await repository.save(item)", "payload": {"n": "1"}}
    assert_refused(code, {**base, **spec}, message)


@pytest.mark.parametrize("key, value", [("as", "e"), ("then", "continue"), ("message", "x"), ("through", "y")])
def test_on_error_keys_need_an_on_error_anchor(key, value):
    result = assert_refused(MOVE, {"event": "MOVED", "in": "move", "after_log": "moved", key: value},
                            f"`{key}` only applies to an `on_error` anchor")
    assert "spec.yaml:" in result.messages()


def test_an_anchor_inside_a_continue_wrap_is_refused(tmp_path):
    spec = _spec('''  - {id: e, event: SAVE_FAILED, in: store, on_error: await repository.save(item), then: continue, payload: {n: 1}, severity: ERROR}
''')
    project = Project(tmp_path, SAVE_MODULE, spec)
    project.apply()
    (project.specs / "mod.yaml").write_text(spec + '''  - {id: f, event: SAVED, in: store, after: await repository.save(item), payload: {n: 1}, severity: INFO}
''')
    result = project.apply(ok=False)
    assert result.exit_code == 2 and "logs and continues" in result.output


# -- import per event -----------------------------------------------------------------------------
def test_import_local_on_one_event_keeps_the_others_top_level():
    code = '''
        async def a(x):
            logger.info("a")


        async def b(x):
            logger.info("b")
        '''
    result = transform(code, [{"event": "A", "in": "a", "after_log": "a", "import": "local"},
                              {"event": "B", "in": "b", "after_log": "b"}], config={"failsafe": False})
    assert not result.errors, result.messages()
    assert result.text.startswith(HEADER)
    a_body = result.text[result.text.index("async def a"):result.text.index("async def b")]
    b_body = result.text[result.text.index("async def b"):]
    assert "    from core.event_logger import EventType, get_event_logger\n" in a_body
    assert "import" not in b_body


def test_import_local_in_defaults_applies_to_every_event(tmp_path):
    spec = '''component: mod
file: app/mod.py
phase: 1
defaults: {import: local, severity: INFO}
events:
  - {id: e, event: MOVED, in: move, after_log: moved, payload: {new: new_stop}}
'''
    project = Project(tmp_path, MOVE_MODULE, spec)
    project.apply()
    text = project.text()
    assert "\nfrom core.event_logger" not in text and "        from core.event_logger import EventType, get_event_logger\n" in text
    module, logging_module = project.load()
    recorder = logging_module.EventLogger()
    logging_module.set_event_logger(recorder)
    import asyncio

    assert asyncio.run(module.move(module.Position(), 5)) == 5 and recorder.events == [("MOVED", {"new": 5})]
    assert project.cli("revert", "--allow-dirty").exit_code == 0 and project.text() == MOVE_MODULE
    assert LOGGER  # the recording logger the project runs with
