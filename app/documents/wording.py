"""The fixed wording of the printed forms.

Decision: the documents are the Ministry of Justice's people's-mediation forms (人民调解文书格式), official
Chinese papers that parties sign and the committee files and hands to a court for judicial confirmation.
Their fixed wording is Chinese whatever language the user interface is in; these tables give the Chinese
words for the codes the services store, instead of the translated UI labels (`_()`), which would print
English on an English-language desk. Dates are written the Chinese way (2026年11月25日) for the same reason.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache

from app.clock import LOCAL_TZ
from app.paths import translations_dir

SEX = {"male": "男", "female": "女"}
PARTY_ROLE = {"applicant": "申请人", "respondent": "被申请人", "third_party": "第三人"}
AGENT_KIND = {"agent": "委托代理人", "legal_representative": "法定代表人"}
MEDIATOR_ROLE = {
    "peoples_mediator": "人民调解员",
    "judge": "法官",
    "prosecutor": "检察官",
    "police_officer": "警官",
    "legal_advisor": "法律顾问",
    "counsellor": "心理辅导员",
    "five_elders": "五老人员",
}
SOURCE = {
    "party_applied": "当事人申请",
    "committee_initiated": "主动调解",
    "screening": "排查发现",
    "police_transfer": "公安移交",
    "court_entrusted": "法院委托",
    "government_assigned": "政府指定",
    "petition_qr": "信访二维码",
}
STATUS = {
    "accepted": "已受理",
    "mediating": "调解中",
    "agreed": "已达成协议",
    "following_up": "回访中",
    "closed": "已结案",
    "failed": "调解不成",
    "transferred": "已转办",
    "withdrawn": "已撤回",
}
CONTENTS = {
    "intake": "人民调解申请书或受理登记表",
    "rights_notice": "人民调解权利义务告知书",
    "id_proof": "当事人身份证明",
    "power_of_attorney": "授权委托书",
    "investigation": "人民调解调查记录",
    "evidence": "证据材料",
    "mediation_record": "人民调解记录",
    "agreement": "人民调解协议书",
    "performance_proof": "履行协议凭证",
    "follow_up": "人民调解回访记录",
    "judicial_confirmation": "司法确认材料",
    "back_cover": "卷宗备考表",
}
ATTACHMENT = {
    "application": "当事人签名的申请书",
    "rights_notice": "当事人签名的权利义务告知书",
    "id_proof": "身份证明",
    "power_of_attorney": "授权委托书",
    "evidence": "证据材料",
    "signed_agreement": "签名的调解协议书（扫描件或照片）",
    "performance_proof": "履行协议凭证",
    "judicial_confirmation": "司法确认材料",
    "other": "其他材料",
}
PERFORMANCE = {"fully": "已全部履行", "partly": "部分履行", "not_yet": "尚未履行", "refused": "拒绝履行"}
SATISFACTION = {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}
ROUTES = {"arbitration": "仲裁", "administrative": "行政途径", "lawsuit": "诉讼"}
TRANSFER_TARGETS = {
    "township_center": "乡镇综治中心",
    "court": "人民法院",
    "police": "公安机关",
    "trade_committee": "行业性专业性人民调解委员会",
}

VOLUNTARY = ("本人已知悉人民调解委员会调解民间纠纷，应当在当事人自愿、平等的基础上进行；人民调解不收取任何费用。"
             "本人自愿申请人民调解委员会调解。")
RIGHTS = ("当事人在人民调解活动中享有下列权利：选择或者接受人民调解员；接受调解、拒绝调解或者要求终止调解；"
          "要求调解公开进行或者不公开进行；自主表达意愿、自愿达成调解协议。当事人应当如实陈述纠纷事实，"
          "遵守调解现场秩序，尊重人民调解员，尊重对方当事人行使权利。")
EFFECT = ("本协议经各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章后生效。"
          "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"
          "双方当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。")
ORAL_EFFECT = "口头调解协议自各方当事人达成协议之日起生效。"

# texts the services write into records themselves (in the UI language of the moment)
SYSTEM_TEXTS = {"Check performance of the agreement.": "检查调解协议履行情况。"}

_DIGITS = "〇一二三四五六七八九"


def label(table: dict[str, str], key: str) -> str:
    """The Chinese word for `key`, or the key itself for a code the table does not know."""
    return table.get(key, key)


@cache
def _chinese_catalog() -> gettext.NullTranslations:
    try:
        return gettext.translation("messages", localedir=translations_dir(), languages=["zh_CN"])
    except Exception:  # a missing or damaged catalog: keep the text as it is
        return gettext.NullTranslations()


def system_text(text: str) -> str:
    """A text the program wrote into a record (e.g. the reason of the first follow-up visit) in the UI
    language of the moment, in Chinese; anything else unchanged."""
    if text in SYSTEM_TEXTS:
        return SYSTEM_TEXTS[text]
    return _chinese_catalog().gettext(text) if text else text


def cn_number(n: int) -> str:
    """一, 二, … 十, 十一, … 九十九 — for the number of copies and the headings of terms."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def cn_date(value: dt.date | None) -> str:
    """2026年11月25日 (empty for None)."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: dt.datetime | None) -> str:
    """2026年11月25日 14时30分, in the desk's time zone."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(LOCAL_TZ)
    return f"{cn_date(local.date())} {local.hour}时{local.minute:02d}分"


def age_on(birth: dt.date | None, on: dt.date) -> str:
    """Age in whole years on `on`, e.g. "76"; empty when the birth date is unknown."""
    if birth is None or birth > on:
        return ""
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return str(years)
