"""The printed documents of a case, rendered for real and read back with poppler (pdftotext, pdfinfo,
pdffonts): names with rare characters in the text layer, amounts in capitals, page footers, long
agreements over several pages, Chinese line breaking, embedded font subsets, the case file's order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportlab.platypus import Flowable, Table

from app.clock import today, utcnow
from app.documents import DOCUMENTS, applicable, collect, wording
from app.documents import render as render_document
from app.documents.agreement import agreement_story
from app.documents.case_data import CaseDocData, PartyDoc, TermDoc
from app.documents.fonts import CANNOT_START, EMOJI_FONT, fonts, markup, runs
from app.documents.layout import HandLines
from app.documents.records import sessions_story
from app.models.cases import CaseSource, CaseStatus
from app.services import case_flow, cases, households
from app.services.case_flow import AgreementInput, FollowUpInput, InvestigationInput, SessionInput, Term
from app.services.cases import CaseInput, MediatorInput, PartyInput
from app.services.context import Actor
from app.store.engine import Store

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

KEYS = ["application", "intake", "investigation", "session", "agreement", "oral", "follow_up", "cover", "contents",
        "case_file"]
RARE = "𠮷䶮"


# ---------------------------------------------------------------- poppler helpers

def pdftext(path: Path, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8")


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True).stdout.decode("utf-8")
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def font_rows(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout.decode("utf-8")
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def assert_no_line_starts_with_closing_punctuation(path: Path) -> None:
    for layout in (False, True):
        for line in pdftext(path, layout).splitlines():
            stripped = line.strip()
            assert not stripped.startswith(("，", "。", "；", "：", "、", "！", "？")), (path.name, line)


def pages_text(path: Path) -> list[str]:
    return pdftext(path).split("\f")


def walk(flowables: list[Flowable]) -> Iterator[Flowable]:
    """Every flowable of a story, including those inside table cells."""
    for f in flowables:
        yield f
        if isinstance(f, Table):
            for row in f._cellvalues:
                for cell in row:
                    if isinstance(cell, Flowable):
                        yield from walk([cell])
                    elif isinstance(cell, (list, tuple)):
                        yield from walk(list(cell))


# ---------------------------------------------------------------- building a case through the services

def _people(store: Store, admin: Actor, village: dict[str, str]) -> tuple[str, str]:
    with store.read() as session:
        a = households.household_detail(session, admin, village["h1"]).members[0].id
        b = next(m.id for m in households.household_detail(session, admin, village["h2"]).members if m.name == RARE)
    return a, b


def make_case(store: Store, admin: Actor, village: dict[str, str], *, sessions: int = 1, agreement: bool = True,
              follow_up: bool = True, investigation: bool = True, source: str = "party_applied") -> str:
    a, b = _people(store, admin, village)
    with store.write() as session:
        case = cases.register_case(
            session, admin,
            CaseInput(today(), source, "homestead", "宅基地边界纠纷", facts="两家围墙相隔一米，争议三十年。",
                      points_in_dispute="边界位置；围墙是否越界", requests="确认边界\n拆除越界围墙"),
            [PartyInput("applicant", person_id=a), PartyInput("respondent", person_id=b)],
            [MediatorInput("王丽", user_id=admin.user_id, is_lead=True)],
            confirm_duplicate=True,
        )
        for i in range(sessions):
            case_flow.record_session(session, admin, case.id, SessionInput(
                held_at=utcnow() - dt.timedelta(minutes=10 * (sessions - i) + 5), place="村调解室",
                attendees="双方当事人", applicant_statement=f"第{i + 1}次调解：围墙越界一米。",
                respondent_statement="围墙没有越界。", facts_checked="现场丈量，围墙越界一米。", outcome="同意协商",
                recorder="李文书"))
        if investigation:
            case_flow.record_investigation(session, admin, case.id, InvestigationInput(
                utcnow() - dt.timedelta(hours=5), "现场", "王丽", "邻居刘五", "李文书", "刘五说围墙是三十年前建的。"))
        if agreement:
            case_flow.draft_agreement(session, admin, case.id, AgreementInput(
                (Term(f"{RARE}拆除越界围墙一米，并恢复原状", ""), Term(f"张三补偿{RARE}围墙重建费用", "12000"),
                 Term("双方今后和睦相处，不再就此事发生纠纷", "")),
                facts="围墙越界一米", responsibilities="双方均有责任", performance_manner="现金一次性支付",
                performance_deadline=today() + dt.timedelta(days=10)))
            for item in case_flow.checklist(session, case.id):
                case_flow.tick(session, admin, case.id, item.key)
            if follow_up:
                case_flow.record_follow_up(session, admin, case.id, FollowUpInput(
                    today(), "王丽", "fully", "satisfied", findings="已按协议履行"))
        return case.id


def doc_data(store: Store, admin: Actor, case_id: str) -> CaseDocData:
    with store.read() as session:
        return collect(session, admin, case_id)


@pytest.fixture
def full(store: Store, admin: Actor, village: dict[str, str]) -> CaseDocData:
    return doc_data(store, admin, make_case(store, admin, village))


# ---------------------------------------------------------------- the registry

def test_registry_lists_every_form_with_its_chinese_title(full: CaseDocData) -> None:
    assert list(DOCUMENTS) == KEYS
    assert DOCUMENTS["agreement"][0] == "人民调解协议书"
    assert DOCUMENTS["intake"][0] == "人民调解受理登记表"
    assert DOCUMENTS["oral"][0] == "人民调解口头协议登记表"
    assert applicable(full) == [k for k in KEYS if k != "oral"]


def test_the_package_does_not_import_qt() -> None:
    code = "import sys, app.documents; sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_wording_covers_every_code_the_services_use() -> None:
    assert set(case_flow.ATTACHMENT_KINDS) <= set(wording.ATTACHMENT)
    assert set(case_flow.PERFORMANCE) <= set(wording.PERFORMANCE)
    assert set(case_flow.SATISFACTION) <= set(wording.SATISFACTION)
    assert set(case_flow.ROUTES) <= set(wording.ROUTES)
    assert set(case_flow.TRANSFER_TARGETS) <= set(wording.TRANSFER_TARGETS)
    assert {s.value for s in CaseSource} <= set(wording.SOURCE)
    assert {s.value for s in CaseStatus} <= set(wording.STATUS)
    with pytest.raises(AssertionError):  # the helper itself notices a missing key
        assert {"unknown"} <= set(wording.SOURCE)


# ---------------------------------------------------------------- fonts

def test_rare_characters_get_the_fallback_font_and_text_is_escaped() -> None:
    f = fonts()
    assert ord("𠮷") not in f.main_chars and ord("䶮") not in f.main_chars
    assert f.rare is not None and f.font_for("𠮷") == f.rare and f.font_for("䶮") == f.rare
    assert runs("张𠮷䶮三") == [(f.main, "张"), (f.rare, "𠮷䶮"), (f.main, "三")]
    assert markup("A & <b>𠮷</b>\n乙") == f'A &amp; &lt;b&gt;<font name="{f.rare}">𠮷</font>&lt;/b&gt;<br/>乙'
    assert markup("控制\x00字符\x07") == "控制字符"


def test_emoji_pasted_from_wechat_print_in_black_outline(full: CaseDocData, tmp_path: Path) -> None:
    f = fonts()
    emoji = EMOJI_FONT
    assert [f.font_for(c) for c in "😀👍🙏🚗🤝"] == [emoji] * 5
    assert runs("好😀❤️👍") == [(f.main, "好"), (emoji, "😀❤👍")]  # the U+FE0F after the heart has no glyph: left out
    facts = "双方当场握手言和🤝，申请人表示满意👍😀"
    data = dataclasses.replace(full, case=dataclasses.replace(full.case, facts=facts, summary=full.case.summary + "🙏"))
    path = tmp_path / "application.pdf"
    DOCUMENTS["application"][1](data, path)
    text = pdftext(path).replace("\n", "")
    assert "握手言和🤝" in text and "满意👍😀" in text
    embedded = [row[0] for row in font_rows(path)]
    assert any(name.endswith("+SymbolaEmoji") for name in embedded), embedded


# ---------------------------------------------------------------- every document

@pytest.mark.parametrize("key", [k for k in KEYS if k != "oral"])
def test_each_document_carries_the_names_number_and_page_footer(full: CaseDocData, tmp_path: Path, key: str) -> None:
    path = tmp_path / f"{key}.pdf"
    DOCUMENTS[key][1](full, path)
    text = pdftext(path)
    assert "张三" in text and RARE in text, key
    assert full.number in text or full.file_number in text
    assert "第 1 页 共" in text
    assert_no_line_starts_with_closing_punctuation(path)
    for row in font_rows(path):  # every font embedded, as a subset
        assert row[-5:-2] == ["yes", "yes", "yes"], row
        assert re.match(r"[A-Z]{6}\+", row[0]), row
    assert "Check performance" not in text  # Chinese forms, whatever the UI language (English in tests)


def test_agreement_prints_the_terms_with_amounts_in_capitals(full: CaseDocData, tmp_path: Path) -> None:
    path = tmp_path / "agreement.pdf"
    DOCUMENTS["agreement"][1](full, path)
    text = pdftext(path)
    assert full.number in text and full.number == f"（{today().year}）甘调字第0001号"
    for needle in ("人民调解协议书", f"一、{RARE}拆除越界围墙一米，并恢复原状", f"二、张三补偿{RARE}围墙重建费用",
                   "金额：12,000元（大写：人民币壹万贰仟元整）", "壹万贰仟元整", "三、双方今后和睦相处",
                   "本协议一式三份，当事人各执一份，调解委员会留存一份。", "纠纷主要事实", "争议事项", "各方责任",
                   "双方均有责任", "履行方式：现金一次性支付", "（调解委员会印章）", "庄墩村人民调解委员会",
                   "签名（按指印）", "申请人", "被申请人", "人民调解员", "记录人", "李文书", "汉族", "13912345678"):
        assert needle in text, needle
    assert path.stat().st_size < 200_000
    rows = font_rows(path)
    assert {r[0].split("+")[1] for r in rows} == {"WenQuanYiMicroHei-0", "HanaMinRare"}


def test_a_sixty_term_agreement_flows_onto_further_pages(full: CaseDocData, tmp_path: Path) -> None:
    assert full.agreement is not None
    terms = tuple(TermDoc(f"第{n}项约定：" + "甲方应当按期履行义务" * (n % 9) + "，乙方予以配合，双方确认无异议。" + "的" * (n % 17),
                          str(100 * n) if n % 5 == 0 else "", "") for n in range(1, 61))
    terms = tuple(dataclasses.replace(t, capitals=case_flow.amount_in_capitals(t.amount)) if t.amount else t for t in terms)
    long = dataclasses.replace(full, agreement=dataclasses.replace(full.agreement, terms=terms))
    path = tmp_path / "long.pdf"
    DOCUMENTS["agreement"][1](long, path)
    pages = page_count(path)
    text = pdftext(path)
    assert pages > 1 and text.count("\f") >= pages - 1
    assert "第60项约定" in text and "六十、" in text and "人民币陆仟元整" in text
    assert f"第 {pages} 页 共 {pages} 页" in text
    assert "本协议一式三份" in pages_text(path)[-2] or "本协议一式三份" in pages_text(path)[-3]
    assert_no_line_starts_with_closing_punctuation(path)


def test_chinese_line_breaking_keeps_closing_punctuation_off_the_line_start(full: CaseDocData, tmp_path: Path) -> None:
    """The comma moves across the line end term by term: without the extended "cannot start a line" list,
    reportlab pushes it to the start of the next line (checked: two lines here)."""
    assert full.agreement is not None and set("，。；：！？、》）") <= set(CANNOT_START)
    terms = tuple(TermDoc("字" * n + "，完" + "句" * (n % 7) + "。") for n in range(25, 80))
    path = tmp_path / "breaks.pdf"
    DOCUMENTS["agreement"][1](dataclasses.replace(full, agreement=dataclasses.replace(full.agreement, terms=terms)), path)
    assert_no_line_starts_with_closing_punctuation(path)


def test_documents_render_to_a_stream_as_well(full: CaseDocData) -> None:
    buffer = io.BytesIO()
    render_document("agreement", full, buffer)
    assert buffer.getvalue().startswith(b"%PDF-") and buffer.getvalue().rstrip().endswith(b"%%EOF")


# ---------------------------------------------------------------- the case file

def _title_page(pages: list[str], title: str) -> int:
    """The 1-based page whose first line (after the number at the top) is `title`."""
    for i, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        if title in lines[:3]:
            return i
    return 0


def test_case_file_holds_the_documents_in_contents_order(store: Store, admin: Actor, village: dict[str, str],
                                                         tmp_path: Path) -> None:
    data = doc_data(store, admin, make_case(store, admin, village, sessions=2))
    path = tmp_path / "case_file.pdf"
    DOCUMENTS["case_file"][1](data, path)
    pages = pages_text(path)
    titles = ["人民调解卷宗", "卷内目录", "人民调解申请书", "人民调解受理登记表", "人民调解调查记录", "人民调解记录",
              "人民调解协议书", "人民调解回访记录", "卷内备考表"]
    found = [_title_page(pages, t) for t in titles]
    assert all(found) and found == sorted(found), dict(zip(titles, found, strict=True))
    assert sum(1 for page in pages if "人民调解记录" in page.splitlines()[:4]) == 2  # one record per session
    # the contents list gives the page each printed document starts on, the back cover the page count
    layout = pdftext(path, layout=True)
    for title, key_title in (("人民调解协议书", "人民调解协议书"), ("人民调解回访记录", "人民调解回访记录"),
                             ("人民调解记录", "人民调解记录"), ("人民调解调查记录", "人民调解调查记录")):
        match = re.search(rf"{key_title}\s+(?:必备\s+)?有\s+(\d+)", layout)
        assert match, title
        assert int(match.group(1)) == _title_page(pages, title), title
    total = page_count(path)
    assert re.search(rf"本卷页数\s+{total}\b", layout)
    assert f"第 {total} 页 共 {total} 页" in pdftext(path)
    assert "壹万贰仟元整" in pdftext(path)


def test_case_file_without_agreement_marks_it_missing(store: Store, admin: Actor, village: dict[str, str],
                                                      tmp_path: Path) -> None:
    data = doc_data(store, admin, make_case(store, admin, village, agreement=False, investigation=False))
    assert data.agreement is None
    assert not DOCUMENTS["agreement"][2](data) and not DOCUMENTS["follow_up"][2](data)
    path = tmp_path / "case_file.pdf"
    DOCUMENTS["case_file"][1](data, path)
    layout = pdftext(path, layout=True)
    assert re.search(r"人民调解协议书\s+无", layout)
    assert re.search(r"人民调解调查记录\s+无", layout)
    pages = pages_text(path)
    assert _title_page(pages, "人民调解协议书") == 0 and _title_page(pages, "人民调解记录") > 0
    assert _title_page(pages, "卷内备考表") == page_count(path)


def test_a_case_file_of_a_committee_initiated_case_starts_with_the_intake_register(
        store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    data = doc_data(store, admin, make_case(store, admin, village, source="screening", agreement=False))
    assert "application" not in applicable(data)
    path = tmp_path / "case_file.pdf"
    DOCUMENTS["case_file"][1](data, path)
    pages = pages_text(path)
    assert _title_page(pages, "人民调解申请书") == 0
    assert _title_page(pages, "人民调解受理登记表") == 3
    assert "排查发现" in pdftext(path)


# ---------------------------------------------------------------- empty fields

def test_empty_optional_fields_leave_lines_for_handwriting(store: Store, admin: Actor, village: dict[str, str],
                                                           tmp_path: Path) -> None:
    a, b = _people(store, admin, village)
    with store.write() as session:
        case = cases.register_case(session, admin, CaseInput(today(), "party_applied", "debt", "借款未还"),
                                   [PartyInput("applicant", person_id=a), PartyInput("respondent", person_id=b)],
                                   confirm_duplicate=True)
        case_flow.record_session(session, admin, case.id, SessionInput(held_at=utcnow() - dt.timedelta(minutes=5),
                                                                       place="村委会", rights_explained=False))
        case_flow.draft_agreement(session, admin, case.id, AgreementInput((Term("按期还款"),)))
    data = doc_data(store, admin, case.id)
    assert data.mediators == [] and data.recorder == ""
    for key in [k for k in KEYS if k != "oral"]:
        path = tmp_path / f"{key}.pdf"
        DOCUMENTS[key][1](data, path)  # nothing crashes on empty fields, and blank forms print
        assert "第 1 页 共" in pdftext(path), key
    session_lines = [f for f in walk(sessions_story(data)) if isinstance(f, HandLines)]
    assert len(session_lines) >= 5  # rights, both statements, others, facts, outcome, unnamed signers
    agreement_lines = [f for f in walk(agreement_story(data)) if isinstance(f, HandLines)]
    assert len(agreement_lines) >= 3  # facts? (summary used), points in dispute, responsibilities, performance
    text = pdftext(tmp_path / "agreement.pdf")
    assert "一、按期还款" in text and "本协议一式三份" in text


def test_an_organisation_party_prints_its_credit_code_and_representative(full: CaseDocData, tmp_path: Path) -> None:
    org = PartyDoc("org", "respondent", "被申请人", "甘州区某建筑公司", "", "", None, "", "甘州区工业园1号", "",
                   is_organisation=True, credit_code="91110108551385082Q", agent_name="钱经理", agent_kind="法定代表人",
                   agent_mobile="13700001111")
    data = dataclasses.replace(full, parties=[full.parties[0], org])
    path = tmp_path / "agreement.pdf"
    DOCUMENTS["agreement"][1](data, path)
    text = pdftext(path)
    for needle in ("甘州区某建筑公司", "统一社会信用代码", "91110108551385082Q", "法定代表人", "钱经理", "13700001111"):
        assert needle in text, needle


def test_oral_agreement_register(store: Store, admin: Actor, village: dict[str, str], tmp_path: Path) -> None:
    case_id = make_case(store, admin, village, agreement=False, investigation=False)
    with store.write() as session:
        case_flow.register_oral_agreement(session, admin, case_id, AgreementInput((Term("张三当场归还借款", "350.5"),)))
    data = doc_data(store, admin, case_id)
    assert applicable(data)[-4:] == ["oral", "cover", "contents", "case_file"] and "agreement" not in applicable(data)
    path = tmp_path / "oral.pdf"
    DOCUMENTS["oral"][1](data, path)
    text = pdftext(path)
    assert "人民调解口头协议登记表" in text and "一、张三当场归还借款" in text and "叁佰伍拾元伍角" in text
    assert RARE in text and "第 1 页 共 1 页" in text


def test_long_statements_flow_over_pages_inside_the_form(full: CaseDocData, tmp_path: Path) -> None:
    statement = "\n".join(f"第{n}段：" + "围墙越界一米，争议三十年；" * 12 for n in range(1, 60)) + "\n陈述完毕ZZ"
    rec = dataclasses.replace(full.sessions[0], applicant_statement=statement[-10_000:], facts_checked=statement[:10_000])
    data = dataclasses.replace(full, sessions=[rec], case=dataclasses.replace(full.case, facts=statement))
    for key in ("session", "intake", "application"):
        path = tmp_path / f"{key}.pdf"
        DOCUMENTS[key][1](data, path)
        text = pdftext(path)
        assert page_count(path) > 2 and "陈述完毕ZZ" in text, key
        assert_no_line_starts_with_closing_punctuation(path)
