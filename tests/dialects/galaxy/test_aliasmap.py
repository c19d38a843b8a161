"""AliasMap.xml: the seed's sample file, its jq program, actions, relations, and every kind of bad file."""
# ruff: noqa: E501 -- two lines of the seed's sample file are longer than 120 and are kept verbatim.

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from backoffice.dialects.galaxy import aliasmap
from backoffice.dialects.galaxy.aliasmap import (
    ActionContext,
    ActionFailed,
    ActionRefused,
    Alias,
    AliasMap,
    AliasMapError,
    IncomingTransformError,
    OutgoingTransformError,
    RelationError,
    TransformError,
)
from tests.dialects.galaxy import actions_for_tests

# The seed's sample file, verbatim (Galaxy Web API document, lines 2320-2361).
SEED_SAMPLE = """\
<?xml version="1.0" encoding="utf-8" ?>
<AliasMapConfig>

  <Alias Key="glx::customers"
         UriName="customers"
         ObjectName="gxTrader"
         EntityName="Galaxy:Trader"
         IsArray="false"
         IsService="false"
         CollectionType="Glx.Data.DataObjects.gxTraderCollectionFactory, Glx.Schema"
         CollectionItemType="Glx.Data.DataObjects.gxTraderDataObject, Glx.Schema">

    <JQOutgoing>.Customers[0] as $cust| $cust|with_entries(select(.key != "CompanySites"))|del(.Sites) + { Sites:$cust.Sites | map(select(.Description == "Primary"))}</JQOutgoing>
    <JQIncoming></JQIncoming>
  </Alias>

  <Alias Key="glx::commercialentry" >
    <OnBeforePost>
      <Actions>
        <InvokeAction ClassName="Glx.SFA.Custom.WebAPI.OnBeforeCommercialEntryPost" AssemblyName="Glx.SFA.Custom" >
          <Properties>
            <Set Prop="Flags" Value="1;2;3;4;5" />
            <Set Prop="Origin" Value="Sales" />
            <Set Prop="Source" Value="eOrder" />
          </Properties>
        </InvokeAction>
      </Actions>
    </OnBeforePost>
  </Alias>

  <Alias Key="glx::mediator">
    <Relations>
      <Relation Name="customers" ParentAlias="glx::mediator" RelationObject="Galaxy:MoRE" RelationOperation="GetCustomers" ResultObjectBaseURI="/api/glx/entities/customers" ResultIDField="TraderID">
        <Parameters>
          <Parameter Name="CompanyID" Type="Profile" />
          <Parameter Name="MediatorID" Type="RequestObject" Alias="ID" />
        </Parameters>
      </Relation>
    </Relations>
  </Alias>

</AliasMapConfig>
"""

PY_ACTION = "backoffice.dialects.galaxy.sample_actions.stamp_origin"
DOTNET_ACTION = "Glx.SFA.Custom.WebAPI.OnBeforeCommercialEntryPost"
# The Galaxy Web API document (../shared/seeds/003_849c441091b33dc1.txt), kept with the tests.
SEED_PATH = Path(__file__).parents[2] / "seeds" / "galaxy_web_api.txt"

# A trader as GetByID shows it: one customer detail with two sites (the seed's program keeps the "Primary" one).
TRADER: dict[str, Any] = {
    "ID": "7d0b6e2a-0000-4000-8000-000000000001",
    "Code": "C-001",
    "Name": "Best Market Services",
    "Sites": [{"ID": "s-trader", "Description": "Trader site"}],
    "Customers": [
        {
            "ID": "c-1",
            "TraderID": "7d0b6e2a-0000-4000-8000-000000000001",
            "Code": "C-001",
            "CreditLimit": 1500.5,
            "CompanySites": [{"ID": "cs-1"}],
            "Sites": [
                {"ID": "s-1", "Description": "Primary", "City": "Athens"},
                {"ID": "s-2", "Description": "Warehouse", "City": "Piraeus"},
            ],
        },
        {"ID": "c-2", "Code": "C-002", "CompanySites": [], "Sites": []},
    ],
}


def seed_map() -> AliasMap:
    """The seed's file with its .NET action replaced by a Python callable (the only change)."""
    return AliasMap.parse(SEED_SAMPLE.replace(DOTNET_ACTION, PY_ACTION).encode(), "AliasMap.xml")


def context(verb: str = "POST", **kw: Any) -> ActionContext:
    return ActionContext(verb=verb, alias_key="glx::commercialentry", domain="glx", uri_name="commercialentry", **kw)


def one_alias(body: str, attrs: str = 'Key="glx::company"') -> Alias:
    amap = AliasMap.parse(f"<AliasMapConfig><Alias {attrs}>{body}</Alias></AliasMapConfig>".encode())
    assert len(amap) == 1
    return amap.aliases[0]


def actions_alias(*invokes: str, hook: str = "OnBeforePost") -> Alias:
    return one_alias(f"<{hook}><Actions>{''.join(invokes)}</Actions></{hook}>")


def invoke(name: str, **props: str) -> str:
    sets = "".join(f'<Set Prop="{k}" Value="{v}"/>' for k, v in props.items())
    return f'<InvokeAction ClassName="tests.dialects.galaxy.actions_for_tests:{name}"><Properties>{sets}</Properties>' \
           "</InvokeAction>"


# ------------------------------------------------------------------------------------- the seed's file


def test_the_embedded_sample_is_the_seed_verbatim() -> None:
    lines = SEED_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "".join(lines[2319:2361]) == SEED_SAMPLE


def test_the_seed_file_as_written_is_refused_at_start_because_it_names_a_dotnet_class() -> None:
    with pytest.raises(AliasMapError) as caught:
        AliasMap.parse(SEED_SAMPLE.encode(), "/etc/backoffice/AliasMap.xml")
    err = caught.value
    assert (err.source, err.line) == ("/etc/backoffice/AliasMap.xml", 20)  # the <InvokeAction> line
    message = str(err)
    assert message.startswith("/etc/backoffice/AliasMap.xml:20: Alias glx::commercialentry, OnBeforePost:")
    assert DOTNET_ACTION in message and "Glx.SFA.Custom" in message
    assert ".NET class" in message and "package.module:function" in message


def test_the_seed_file_with_a_python_action_loads_every_part() -> None:
    amap = seed_map()
    assert [a.key for a in amap.aliases] == ["glx::customers", "glx::commercialentry", "glx::mediator"]

    customers = amap.alias("glx", "customers")
    assert customers is not None and customers is amap.alias("GLX", "Customers") is amap.by_key("GLX::CUSTOMERS")
    assert customers.adds_url and customers.entity_name == "Galaxy:Trader" and customers.line == 4
    assert customers.dotnet["ObjectName"] == "gxTrader"
    assert customers.dotnet["CollectionType"] == "Glx.Data.DataObjects.gxTraderCollectionFactory, Glx.Schema"
    assert customers.jq_outgoing.text.startswith(".Customers[0] as $cust|")
    assert customers.jq_incoming.is_identity
    assert amap.url_aliases("glx") == [customers] and amap.url_aliases("other") == []

    entry = amap.alias("glx", "commercialentry")
    assert entry is not None and not entry.adds_url and entry.entity_name is None
    assert entry.jq_outgoing.is_identity and entry.after_post == ()
    (action,) = entry.before_post
    assert action.class_name == PY_ACTION and action.assembly_name == "Glx.SFA.Custom"
    assert dict(action.properties) == {"Flags": "1;2;3;4;5", "Origin": "Sales", "Source": "eOrder"}

    mediator = amap.alias("glx", "mediator")
    assert mediator is not None
    (relation,) = mediator.relations
    assert relation is mediator.relation("CUSTOMERS")
    assert mediator.relation("suppliers") is None
    assert (relation.name, relation.parent_alias, relation.relation_object, relation.relation_operation) == (
        "customers", "glx::mediator", "Galaxy:MoRE", "GetCustomers")
    assert (relation.result_base_uri, relation.result_id_field) == ("/api/glx/entities/customers", "TraderID")
    assert [(p.name, p.type, p.source_name) for p in relation.parameters] == [
        ("CompanyID", "Profile", "CompanyID"), ("MediatorID", "RequestObject", "ID")]

    assert amap.alias("glx", "trader") is None


def test_the_seed_jq_program_keeps_the_first_customer_with_its_primary_site() -> None:
    customers = seed_map().alias("glx", "customers")
    assert customers is not None
    assert customers.outgoing(TRADER) == {
        "ID": "c-1",
        "TraderID": "7d0b6e2a-0000-4000-8000-000000000001",
        "Code": "C-001",
        "CreditLimit": 1500.5,
        "Sites": [{"ID": "s-1", "Description": "Primary", "City": "Athens"}],
    }
    # The digest's toy object (section 3.13), checked there with the jq command line.
    toy = {"Customers": [{"Code": "1", "CompanySites": [1], "Sites": [{"Description": "Primary"},
                                                                       {"Description": "Other"}]}]}
    assert customers.outgoing(toy) == {"Code": "1", "Sites": [{"Description": "Primary"}]}
    assert TRADER["Customers"][0]["CompanySites"] == [{"ID": "cs-1"}]  # the input is not changed


def test_the_seed_program_on_a_trader_that_is_not_a_customer_is_an_outgoing_error() -> None:
    customers = seed_map().alias("glx", "customers")
    assert customers is not None
    with pytest.raises(OutgoingTransformError) as caught:
        customers.outgoing({"ID": "t-9", "Password": "hunter2", "Customers": []})
    err = caught.value
    assert isinstance(err, TransformError) and err.alias_key == "glx::customers"
    assert err.public_message == "The JQOutgoing transformation of alias glx::customers failed"
    assert "hunter2" not in err.public_message
    assert "null" in err.detail  # jq's own words: `.Customers[0]` is null and has no keys


# ------------------------------------------------------------------------------------------------ jq


def test_an_empty_or_missing_program_is_the_identity() -> None:
    alias = one_alias("<JQOutgoing>  \n </JQOutgoing><JQIncoming/>")
    doc = {"A": 1}
    assert alias.outgoing(doc) is doc and alias.incoming(doc) is doc
    assert one_alias("").incoming([1, 2]) == [1, 2]


def test_a_program_across_lines_with_cdata_and_a_comment_compiles() -> None:
    alias = one_alias("<JQIncoming>\n  # keep cheap lines\n  <![CDATA[ .Lines |= map(select(.Price < 10)) ]]>\n"
                      "</JQIncoming>")
    assert alias.incoming({"Lines": [{"Price": 5}, {"Price": 50}]}) == {"Lines": [{"Price": 5}]}


@pytest.mark.parametrize(("program", "problem"), [
    ("empty", "produced no value"),
    (".[]", "more than one value"),
    ("repeat(.)", "more than one value"),  # an endless generator stops after the second value
    ("halt", "produced no value"),
    ('error("Code is required")', "jq: Code is required"),
    (".a.b", "Cannot index number"),
])
def test_incoming_failures_are_incoming_errors(program: str, problem: str) -> None:
    alias = one_alias(f"<JQIncoming>{program}</JQIncoming>")
    with pytest.raises(IncomingTransformError) as caught:
        alias.incoming({"a": 1, "b": 2})
    assert problem in str(caught.value)
    assert str(caught.value).startswith("The JQIncoming transformation of alias glx::company failed: ")


def test_decimals_dates_and_big_integers_pass_through_jq() -> None:
    alias = one_alias("<JQOutgoing>{Price, When, Big}</JQOutgoing>")
    out = alias.outgoing({"Price": Decimal("12.50"), "When": dt.datetime(2024, 3, 1, 9, 30), "Big": 2**62, "X": 0})
    assert out == {"Price": 12.5, "When": "2024-03-01T09:30:00", "Big": 2**62}


def test_a_document_that_is_not_json_is_a_transform_error() -> None:
    alias = one_alias("<JQOutgoing>.</JQOutgoing>")
    with pytest.raises(OutgoingTransformError, match="not JSON"):
        alias.outgoing({"A": object()})


def test_one_compiled_program_serves_many_threads_at_once() -> None:
    alias = seed_map().alias("glx", "customers")
    assert alias is not None
    expected = alias.outgoing(TRADER)
    wrong: list[Any] = []

    def work(n: int) -> None:
        for i in range(200):
            doc = {**TRADER, "Customers": [{**TRADER["Customers"][0], "Code": f"{n}-{i}"}]}
            result = alias.outgoing(doc)
            if result != {**expected, "Code": f"{n}-{i}"}:
                wrong.append(result)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


CRASH_SCRIPT = """
import gc
from backoffice.dialects.galaxy.aliasmap import JqProgram
for _ in range(200):
    program = JqProgram.compile(".a.b")
    try:
        program.run({"a": 1})
    except ValueError as exc:
        exc.me = exc  # exception <-> traceback -> frames: only the cycle collector frees these
    del program
gc.collect()
print("survived")
"""


def test_failed_runs_left_to_the_cycle_collector_do_not_crash_the_process() -> None:
    # jq 1.13.0's result iterator crashes (SIGSEGV) when the cycle collector frees it; a naive
    # `for value in iterator` inside `run` does, under exactly this script. Run apart so a crash fails one test.
    done = subprocess.run([sys.executable, "-c", CRASH_SCRIPT], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "survived"), done.stderr[-2000:]


# ------------------------------------------------------------------------------------------- actions


def test_the_sample_action_stamps_origin_and_source_on_post_only() -> None:
    entry = seed_map().alias("glx", "commercialentry")
    assert entry is not None
    body = {"Code": "SO-1", "Origin": "Web"}
    stamped = entry.run_before_post(body, context("POST"))
    assert stamped == {"Code": "SO-1", "Origin": "Sales", "Source": "eOrder"}
    assert body == {"Code": "SO-1", "Origin": "Web"}  # it returned a new payload
    assert entry.run_before_post(body, context("PUT", record_id="x")) == body


def test_actions_run_in_file_order_and_a_returned_dict_replaces_the_payload() -> None:
    actions_for_tests.SEEN.clear()
    alias = actions_alias(invoke("append_step", Step="one"), invoke("mutate_in_place", Mark="m"),
                          invoke("append_step", Step="two"), invoke("record", Flags="1;2;3;4;5"))
    result = alias.run_before_post({"Code": "A"}, context("PATCH", record_id="r-1"))
    assert result == {"Code": "A", "Steps": ["one", "two"], "Touched": "m"}
    assert actions_for_tests.SEEN == [("record", result, {"Flags": "1;2;3;4;5"}, "PATCH")]
    # The action changed its properties dict; the next request still gets the file's values.
    assert alias.run_before_post({}, context())["Touched"] == "m"


def test_a_callable_inside_a_module_attribute() -> None:
    alias = actions_alias('<InvokeAction ClassName="tests.dialects.galaxy.actions_for_tests:Holder.stamp"/>')
    assert alias.run_before_post({}, context()) == {"Held": True}


def test_refusals() -> None:
    refuse = one_alias('<OnBeforePost><Actions><InvokeAction ClassName='
                       '"backoffice.dialects.galaxy.sample_actions:require_fields"><Properties>'
                       '<Set Prop="Fields" Value="Code;Title"/></Properties></InvokeAction></Actions></OnBeforePost>')
    with pytest.raises(ActionRefused) as caught:
        refuse.run_before_post({"Code": "1", "Title": ""}, context())
    assert caught.value.message == "Title must be given"
    assert refuse.run_before_post({"Code": "1", "Title": "T"}, context()) == {"Code": "1", "Title": "T"}

    with pytest.raises(ActionRefused) as caught:
        actions_alias(invoke("plain_value_error")).run_before_post({}, context())
    assert caught.value.message == "Code 007 is reserved"

    with pytest.raises(ActionRefused, match="must be a JSON object"):
        refuse.run_before_post([{"Code": "1"}], context())


def test_a_broken_action_is_a_failure_that_does_not_quote_the_payload() -> None:
    with pytest.raises(ActionFailed) as caught:
        actions_alias(invoke("broken")).run_before_post({"Password": "hunter2"}, context())
    assert str(caught.value) == "Action tests.dialects.galaxy.actions_for_tests:broken failed: KeyError"
    assert isinstance(caught.value.__cause__, KeyError)
    with pytest.raises(ActionFailed, match="returned list; it must return a dict or None"):
        actions_alias(invoke("returns_list")).run_before_post({}, context())


def test_after_post_actions_see_a_copy_and_their_failures_are_logged_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    stored = {"ID": "r-1", "Code": "A", "Sites": [{"ID": "s"}]}
    actions_for_tests.SEEN.clear()
    alias = actions_alias(invoke("vandal"), invoke("broken"), invoke("plain_value_error"), invoke("record"),
                          hook="OnAfterPost")
    with caplog.at_level(logging.ERROR, logger="backoffice.dialects.galaxy.aliasmap"):
        failures = alias.run_after_post(stored, context("POST", record_id="r-1"))
    assert stored == {"ID": "r-1", "Code": "A", "Sites": [{"ID": "s"}]}
    assert actions_for_tests.SEEN == [("record", stored, {}, "POST")]  # it ran after the failures
    assert [str(f) for f in failures] == [
        "Action tests.dialects.galaxy.actions_for_tests:broken failed: KeyError",
        "Action tests.dialects.galaxy.actions_for_tests:plain_value_error refused after the write:"
        " Code 007 is reserved",
    ]
    assert len(caplog.records) == 2 and "glx::company" in caplog.records[0].getMessage()


def test_the_sample_after_action_logs_what_was_saved(caplog: pytest.LogCaptureFixture) -> None:
    alias = one_alias('<OnAfterPost><Actions><InvokeAction ClassName='
                      '"backoffice.dialects.galaxy.sample_actions.log_saved"><Properties>'
                      '<Set Prop="Label" Value="audit"/></Properties></InvokeAction></Actions></OnAfterPost>')
    with caplog.at_level(logging.INFO, logger="backoffice.dialects.galaxy.sample_actions"):
        assert alias.run_after_post({"ID": "r-7", "Password": "hunter2"}, context("PUT", record_id="r-7",
                                                                                   user="admin")) == []
    assert caplog.messages == ["audit: PUT glx::commercialentry r-7 saved by admin"]


def test_the_action_context() -> None:
    with pytest.raises(ValueError, match="not GET"):
        context("GET")
    ctx = context(profile={"CompanyID": "c-1"})
    with pytest.raises(TypeError):
        ctx.profile["CompanyID"] = "other"  # type: ignore[index]


# ----------------------------------------------------------------------------------------- relations


def test_relation_arguments_come_from_the_profile_and_the_parent_record() -> None:
    mediator = seed_map().alias("glx", "mediator")
    assert mediator is not None
    relation = mediator.relation("customers")
    assert relation is not None
    parent = {"ID": "m-1", "Code": "MED"}
    assert relation.arguments({"CompanyID": "co-1", "UserID": "u"}, parent) == {"CompanyID": "co-1",
                                                                                 "MediatorID": "m-1"}
    assert relation.arguments({"companyid": 5}, {"id": 7}) == {"CompanyID": 5, "MediatorID": 7}  # names ignore case
    with pytest.raises(RelationError, match="the caller's profile has no CompanyID"):
        relation.arguments({}, parent)
    with pytest.raises(RelationError, match="MediatorID: the parent record has no ID"):
        relation.arguments({"CompanyID": "co-1"}, {"Code": "MED"})
    assert relation.result_uri({"TraderID": "t-1"}) == "/api/glx/entities/customers/t-1"
    assert relation.result_uri({"Code": "x"}) is None


def test_a_relation_without_result_uri_and_with_a_profile_alias() -> None:
    alias = one_alias('<Relations><Relation Name="sites" RelationOperation="SitesOf"><Parameters>'
                      '<Parameter Name="Company" Type="profile" Alias="CompanyID"/>'
                      '<Parameter Name="ID" Type="RequestObject"/></Parameters></Relation></Relations>')
    (relation,) = alias.relations
    assert relation.parent_alias == "glx::company" and relation.relation_object is None
    assert relation.arguments({"CompanyID": "c"}, {"ID": "p"}) == {"Company": "c", "ID": "p"}
    assert relation.result_uri({"ID": "x"}) is None


# -------------------------------------------------------------------------------------- loading, check


def test_load_a_missing_file_is_an_empty_map_and_a_real_file_is_read(tmp_path: Path) -> None:
    empty = AliasMap.load(tmp_path / "AliasMap.xml")
    assert len(empty) == 0 and empty.alias("glx", "customers") is None
    path = tmp_path / "AliasMap.xml"
    path.write_bytes(SEED_SAMPLE.replace(DOTNET_ACTION, PY_ACTION).encode())
    assert [a.key for a in AliasMap.load(path).aliases] == ["glx::customers", "glx::commercialentry",
                                                           "glx::mediator"]
    with pytest.raises(AliasMapError, match="cannot be read"):
        AliasMap.load(tmp_path)


def test_a_file_too_large_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "AliasMap.xml"
    path.write_bytes(b"<AliasMapConfig>" + b" " * aliasmap.MAX_FILE_BYTES + b"</AliasMapConfig>")
    with pytest.raises(AliasMapError, match="larger than"):
        AliasMap.load(path)


def test_check_against_the_server() -> None:
    amap = seed_map()
    ok = {"entities": {"Galaxy:Trader"}, "uris": {("glx", "trader"), ("glx", "commercialentry"), ("glx", "mediator")},
          "operations": {"GetCustomers"}}
    amap.check(**ok)  # type: ignore[arg-type]
    with pytest.raises(AliasMapError, match=r"AliasMap.xml:4: Alias glx::customers: EntityName 'Galaxy:Trader' is not"):
        amap.check(**{**ok, "entities": set()})  # type: ignore[arg-type]
    with pytest.raises(AliasMapError, match=r":4: .*UriName 'customers' is already an entity URL"):
        amap.check(**{**ok, "uris": ok["uris"] | {("glx", "customers")}})  # type: ignore[arg-type, operator]
    with pytest.raises(AliasMapError, match=r":31: .*no entity 'mediator' in domain glx"):
        amap.check(**{**ok, "uris": {("glx", "commercialentry")}})  # type: ignore[arg-type]
    with pytest.raises(AliasMapError, match=r":33: Relation customers: RelationOperation 'GetCustomers'"):
        amap.check(**{**ok, "operations": set()})  # type: ignore[arg-type]
    amap.check(entities=ok["entities"], uris=ok["uris"])  # operations unchecked when not given


# ------------------------------------------------------------------------------------------ bad files

ALIAS = '<Alias Key="glx::company">{}</Alias>'
M = "tests.dialects.galaxy.actions_for_tests"


def bad(inner: str) -> str:
    return f"<AliasMapConfig>\n{inner}\n</AliasMapConfig>"


BAD_FILES = [
    ("malformed", "<AliasMapConfig>\n<Alias Key='glx::a'>\n</AliasMapConfig>", 3, "Malformed XML"),
    ("doctype", '<!DOCTYPE x [<!ENTITY e "x">]><AliasMapConfig/>', None, "DOCTYPE"),
    ("root", "<Aliases/>", 1, "must be <AliasMapConfig>"),
    ("root attribute", '<AliasMapConfig Version="2"/>', 1, "unknown attribute Version on <AliasMapConfig>"),
    ("unknown element", bad(ALIAS.format("<JQOutGoing>.</JQOutGoing>")), 2,
     "unknown element <JQOutGoing> in <Alias> (names are case-sensitive: did you mean JQOutgoing?)"),
    ("unknown top element", bad("<Aliass/>"), 2, "unknown element <Aliass> in <AliasMapConfig> (did you mean Alias?)"),
    ("unknown attribute", bad('<Alias Key="glx::a" UriNme="a"/>'), 2,
     "unknown attribute UriNme on <Alias> (did you mean UriName?)"),
    ("no key", bad("<Alias UriName='a' EntityName='E'/>"), 2, "<Alias> needs a non-empty Key attribute"),
    ("key without domain", bad('<Alias Key="customers"/>'), 2, "Alias Key 'customers' must be <domain>::<name>"),
    ("key with one colon", bad('<Alias Key="glx:customers"/>'), 2, "must be <domain>::<name>"),
    ("key with a slash", bad('<Alias Key="glx::a/b"/>'), 2, "must be <domain>::<name>"),
    ("duplicate key", bad('<Alias Key="glx::a"/>\n<Alias Key="GLX::A"/>'), 3,
     "Alias key GLX::A is already used at line 2"),
    ("duplicate uri", bad('<Alias Key="glx::cust" UriName="customers" EntityName="Galaxy:Trader"/>\n'
                          '<Alias Key="glx::customers"/>'), 3,
     "Alias glx::customers serves /api/glx/entities/customers, already used by alias glx::cust at line 2"),
    ("uri without entity", bad('<Alias Key="glx::c" UriName="customers"/>'), 2, "EntityName must say which entity"),
    ("bad uri name", bad('<Alias Key="glx::c" UriName="cust.json" EntityName="E"/>'), 2, "must be one URL segment"),
    ("is service", bad('<Alias Key="glx::c" IsService="true"/>'), 2, 'IsService="true" is not supported'),
    ("is array value", bad('<Alias Key="glx::c" IsArray="no"/>'), 2, "IsArray must be true or false, not 'no'"),
    ("jq does not compile", bad(ALIAS.format("\n<JQOutgoing>.Customers[0 as $c</JQOutgoing>")), 3,
     "Alias glx::company: the JQOutgoing program does not compile: jq: error: syntax error"),
    ("jq undefined function", bad(ALIAS.format("<JQIncoming>frobnicate(.)</JQIncoming>")), 2,
     "the JQIncoming program does not compile: jq: error: frobnicate/1 is not defined"),
    ("jq with an element", bad(ALIAS.format("<JQIncoming>.a <b/></JQIncoming>")), 2,
     "holds a jq program as text, not elements"),
    ("jq twice", bad(ALIAS.format("<JQIncoming/>\n<JQIncoming/>")), 3, "<JQIncoming> appears twice in <Alias>"),
    ("stray text", bad(ALIAS.format("hello")), 2, "unexpected text 'hello' in <Alias>"),
    ("not importable", bad(ALIAS.format(
        '<OnBeforePost><Actions>\n<InvokeAction ClassName="nosuchpkg.actions:stamp"/></Actions></OnBeforePost>')), 3,
     "ClassName 'nosuchpkg.actions:stamp' names no Python callable: no module named nosuchpkg"),
    ("no such function", bad(ALIAS.format(
        f'<OnAfterPost><Actions><InvokeAction ClassName="{M}.nothing_here"/></Actions></OnAfterPost>')), 2,
     f"Alias glx::company, OnAfterPost: ClassName '{M}.nothing_here' names no Python callable: module {M} has no"
     " nothing_here"),
    ("not a python name", bad(ALIAS.format(
        '<OnBeforePost><Actions><InvokeAction ClassName="stamp"/></Actions></OnBeforePost>')), 2,
     "it is not a Python name"),
    ("not callable", bad(ALIAS.format(
        f'<OnBeforePost><Actions><InvokeAction ClassName="{M}:NOT_CALLABLE"/></Actions></OnBeforePost>')), 2,
     "it is a int, not callable"),
    ("a class", bad(ALIAS.format(
        f'<OnBeforePost><Actions><InvokeAction ClassName="{M}:AClass"/></Actions></OnBeforePost>')), 2,
     "it names a class"),
    ("wrong signature", bad(ALIAS.format(
        f'<OnBeforePost><Actions><InvokeAction ClassName="{M}:two_arguments"/></Actions></OnBeforePost>')), 2,
     "it cannot be called as fn(payload, properties, context)"),
    ("no class name", bad(ALIAS.format(
        '<OnBeforePost><Actions><InvokeAction AssemblyName="Glx"/></Actions></OnBeforePost>')), 2,
     "<InvokeAction> needs a non-empty ClassName attribute"),
    ("set without value", bad(ALIAS.format(
        f'<OnBeforePost><Actions><InvokeAction ClassName="{M}:record"><Properties>\n<Set Prop="Origin"/>'
        "</Properties></InvokeAction></Actions></OnBeforePost>")), 3, '<Set Prop="Origin"> needs a Value attribute'),
    ("set twice", bad(ALIAS.format(
        f'<OnBeforePost><Actions><InvokeAction ClassName="{M}:record"><Properties><Set Prop="A" Value="1"/>\n'
        '<Set Prop="A" Value="2"/></Properties></InvokeAction></Actions></OnBeforePost>')), 3,
     f"OnBeforePost action {M}:record: property A is set twice"),
    ("actions element missing", bad(ALIAS.format(
        f'<OnBeforePost><InvokeAction ClassName="{M}:record"/></OnBeforePost>')), 2,
     "unknown element <InvokeAction> in <OnBeforePost> (it belongs inside <Actions>) (allowed: Actions)"),
    ("set in the wrong place", bad(ALIAS.format('<Set Prop="A" Value="1"/>')), 2,
     "unknown element <Set> in <Alias> (it belongs inside <Properties>)"),
    ("child of a parameter", bad(ALIAS.format(
        '<Relations><Relation Name="r" RelationOperation="Op"><Parameters>'
        '<Parameter Name="A" Type="Profile"><Value/></Parameter></Parameters></Relation></Relations>')), 2,
     "unknown element <Value> in <Parameter> (allowed: none)"),
    ("unknown parameter type", bad(ALIAS.format(
        '<Relations><Relation Name="r" RelationOperation="Op"><Parameters>\n'
        '<Parameter Name="CompanyID" Type="Session"/></Parameters></Relation></Relations>')), 3,
     "Relation r: parameter CompanyID has Type 'Session'; it must be Profile or RequestObject"),
    ("parameter without type", bad(ALIAS.format(
        '<Relations><Relation Name="r" RelationOperation="Op"><Parameters>'
        '<Parameter Name="CompanyID"/></Parameters></Relation></Relations>')), 2,
     "<Parameter> needs a non-empty Type attribute"),
    ("parameter twice", bad(ALIAS.format(
        '<Relations><Relation Name="r" RelationOperation="Op"><Parameters><Parameter Name="A" Type="Profile"/>'
        '<Parameter Name="a" Type="Profile"/></Parameters></Relation></Relations>')), 2,
     "Relation r: parameter a is given twice"),
    ("relation without operation", bad(ALIAS.format('<Relations><Relation Name="r"/></Relations>')), 2,
     "<Relation> needs a non-empty RelationOperation attribute"),
    ("relation of another alias", bad(ALIAS.format(
        '<Relations><Relation Name="r" ParentAlias="glx::mediator" RelationOperation="Op"/></Relations>')), 2,
     "Relation r: ParentAlias 'glx::mediator' must be the enclosing alias glx::company"),
    ("relation twice", bad(ALIAS.format(
        '<Relations><Relation Name="r" RelationOperation="Op"/>\n<Relation Name="R" RelationOperation="Op"/>'
        "</Relations>")), 3, "Alias glx::company: relation R is already defined at line 2"),
    ("relation base uri", bad(ALIAS.format(
        '<Relations><Relation Name="r" RelationOperation="Op" ResultObjectBaseURI="api/x"/></Relations>')), 2,
     "must be a path starting with /"),
]


@pytest.mark.parametrize(("xml", "line", "problem"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_reported_with_file_line_and_problem(xml: str, line: int | None, problem: str) -> None:
    with pytest.raises(AliasMapError) as caught:
        AliasMap.parse(xml.encode(), "conf/AliasMap.xml")
    err = caught.value
    assert err.source == "conf/AliasMap.xml" and err.line == line, str(err)
    assert problem in err.problem, str(err)
    assert str(err).startswith(f"conf/AliasMap.xml:{line}: " if line else "conf/AliasMap.xml: ")
