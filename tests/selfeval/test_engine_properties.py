"""Property: whatever the scheme and whatever a form's rows say, the engine's total never passes the scheme's
maximum and no section's score passes its points (no database: the engine is pure)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from projects.scheme_data import SCHEMES
from selfeval.services import engine

KINDS = ["budget", "goal", "indicators", "level1", "annual_goal"]
points = st.decimals(min_value=0, max_value=200, places=2)
maybe_points = st.none() | points
scores = st.none() | st.decimals(min_value=-50, max_value=500, places=2)
values = st.sampled_from(["≥10场", "≤5天", "=100%", "有所提升", "10场", "8", "95%", "0", "完成", "", "120%"])


@st.composite
def forms(draw):
    shipped = draw(st.sampled_from([None, *SCHEMES]))
    if shipped is None:  # any scheme: sections of any kind and points (or printed per form)
        sections = draw(
            st.lists(st.tuples(st.sampled_from(KINDS), maybe_points), min_size=1, max_size=6, unique_by=lambda s: s)
        )
        sections = [engine.SectionInput(f"s{i}", kind, p) for i, (kind, p) in enumerate(sections)]
    else:  # a shipped scheme; points printed per form drawn like a filer would type them
        sections = [
            engine.SectionInput(code, kind, Decimal(p) if p is not None else draw(maybe_points))
            for code, _name, kind, p in shipped["sections"]
        ]
    sections = [
        engine.SectionInput(s.code, s.kind, s.points, draw(scores) if s.kind == "goal" else None) for s in sections
    ]
    codes = [s.code for s in sections] + [None]
    rows = draw(
        st.lists(
            st.builds(
                engine.RowInput,
                key=st.uuids(),
                section=st.sampled_from(codes),
                target=values,
                actual=values,
                weight=st.none() | points,
                final_score=scores,
            ),
            max_size=12,
        )
    )
    rules = engine.Rules(
        maximum=draw(st.decimals(min_value=1, max_value=200, places=2)),
        cap_budget_score=draw(st.booleans()),
        reverse_rule=draw(st.sampled_from([engine.REVERSE_RATIO, engine.REVERSE_LINEAR])),
    )
    budget = draw(st.none() | st.decimals(min_value=0, max_value=10**9, places=2))
    executed = draw(st.none() | st.decimals(min_value=-10, max_value=10**9, places=2))
    return engine.FormInput(rules=rules, budget=budget, executed=executed, sections=tuple(sections), rows=tuple(rows))


@settings(max_examples=400, deadline=None)
@given(forms())
def test_no_total_passes_the_maximum_and_no_section_its_points(form):
    result = engine.score_form(form)
    if result.total is not None:
        assert Decimal(0) <= result.total <= form.rules.maximum
    for section in form.sections:
        score = result.section_scores[section.code]
        if score is not None:
            assert score >= 0
            if section.points is not None:
                assert score <= section.points, (section, score)
