"""The stored checks are keyed on explicit versions (``ENGINE_VERSION``, the checkers' ``CHECKER_VERSION``,
``PARSER_VERSION``), not on hashes of source files. This test keeps the versions honest: what the engine and
the checkers make of the seed forms is recorded per version, so a change of what they compute that does not
raise a version fails here (and would otherwise leave stale stored checks looking current).

When it fails because you changed the engine, a checker or the parser on purpose: raise that version and
record the new digest printed in the failure.
"""

import hashlib
import json
import os
import pathlib

import pytest

from indicators.services.values import PARSER_VERSION
from projects.models import FinalAccount, ProjectDeclaration
from projects.services import consistency as declaration_consistency
from projects.services.findings import declaration_findings, final_account_findings
from selfeval.models import SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import consistency as evaluation_consistency
from selfeval.services import engine
from selfeval.services.adapters import form_input
from selfeval.services.findings import evaluation_findings

pytestmark = pytest.mark.django_db

# version key → digest of the outputs on the seeds
RECORDED = {
    "e1.c1.d1.p1": "b8fbbbd40def3522",
    # engine 2 caps sections at their points and totals at the scheme's maximum; checker 2 adds the section points
    # and row weights findings: the seeds' outputs are the same (their sections fit), other forms' are not
    "e2.c2.d1.p1": "b8fbbbd40def3522",
    "e1.c2.d2.p1": "d57e9c2079040a1e",  # findings say 填报 instead of 表中
    # both of the above together (the self-evaluation checker 3 = checker 2's findings in the office's words)
    "e2.c3.d2.p1": "d57e9c2079040a1e",
    "e2.c1.d1.p1": "b8fbbbd40def3522",  # bounds: no figure beyond engine.MAX_RATE / MAX_SCORE (none on the seeds)
    # engine 3 = both engines 2 (caps at the scheme and storage bounds) with checker 3
    "e3.c3.d2.p1": "d57e9c2079040a1e",
    # engine 4 and parser 2 read a row's own 指标性质/comparator/unit columns and deadlines as dates (成本 rows 反向);
    # checker 4 adds word actuals, contradictions, funding totals against their 其中 rows, rates typed without % in
    # a 执行率(%) column and 0.00 % on empty rows (issue 13 points 4, 5): no seed row prints such columns, words or
    # deadlines, links 其中 rows or prints a rate without %, so the seeds' outputs are main's
    "e4.c4.d2.p2": "d57e9c2079040a1e",
    # checker 5 holds a form against its declaration's 运行监控 record (issue 18): no seed declaration has one
    "e4.c5.d2.p2": "d57e9c2079040a1e",
    # declaration checker 3 reports a 指标性质 contradicting the comparator at entry: no seed declaration prints one
    "e4.c4.d3.p2": "d57e9c2079040a1e",
    # both of the above together
    "e4.c5.d3.p2": "d57e9c2079040a1e",
    # checker 6 matches a row to its monitoring row by the declaration row both came from (issue 18): no seed
    # declaration has a monitoring record, so the seeds' findings are unchanged
    "e4.c6.d3.p2": "d57e9c2079040a1e",
}


def _outputs() -> str:
    """The engine's and checkers' outputs on every seed form, in an order no database collation changes."""
    out = []
    for evaluation in SelfEvaluation.objects.select_related("department", "project"):
        evaluation = evaluation_with_rows(evaluation.pk)
        result = engine.score_form(form_input(evaluation))
        proposals = sorted((str(p.score), str(p.met)) for p in result.proposals.values())
        key = ["evaluation", evaluation.department.code, evaluation.year, evaluation.kind, str(evaluation)]
        findings = [f.as_dict() for f in evaluation_findings(evaluation)]
        out.append([key, str(result.total), result.grade, str(result.budget_rate), proposals, findings])
    for declaration in ProjectDeclaration.objects.select_related("project"):
        out.append(
            [
                ["declaration", declaration.project.key, declaration.year],
                [f.as_dict() for f in declaration_findings(declaration)],
            ]
        )
    for account in FinalAccount.objects.select_related("department"):
        out.append(
            [["account", account.department.code, account.year], [f.as_dict() for f in final_account_findings(account)]]
        )
    text = json.dumps(
        sorted(out, key=lambda item: json.dumps(item[0], ensure_ascii=False)), ensure_ascii=False, sort_keys=True
    )
    if os.environ.get("DUMP_VERSIONS"):
        pathlib.Path(os.environ["DUMP_VERSIONS"]).write_text(text)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_the_versions_name_what_the_engine_and_checkers_compute():
    key = (
        f"e{engine.ENGINE_VERSION}.c{evaluation_consistency.CHECKER_VERSION}"
        f".d{declaration_consistency.CHECKER_VERSION}.p{PARSER_VERSION}"
    )
    digest = _outputs()
    assert RECORDED.get(key) == digest, (
        f"the engine's or a checker's output on the seeds is now {digest} under versions {key}: if you changed "
        "what they compute, raise the version of what changed and record the new digest in RECORDED"
    )
