"""Chinese labels, with a one-line explanation each, for every word the engines and rounds emit.

No engine word (``text``, ``fuzzy``, ``optimal``, ``succeeded``, ``ranked.xlsx`` …) reaches a
person: pages, exports and the SPA (through ``GET /api/reference/labels``) print
:func:`label` and show :func:`hint` on hover. tests/test_public_names.py derives the words from
the engines themselves (``matching.Weights``, ``graph.methods()``, the rounds' ``Literal`` types),
so a new component, method or state without a label fails the suite.
"""

from __future__ import annotations

import msgspec


class Label(msgspec.Struct, frozen=True):
    label: str
    hint: str


def _l(label: str, hint: str) -> Label:
    return Label(label, hint)


LABELS: dict[str, dict[str, Label]] = {
    # Score components of matching.Weights / ScoredPair.components.
    "component": {
        "text": _l("文本相关", "双方标题、描述和关键词中共有词语的加权重合程度"),
        "fuzzy": _l("近似措辞", "措辞相近但不完全相同的词语（如简称、错别字）的相似程度"),
        "chars": _l("字面相似", "双方文字所用汉字的相似程度，弥补分词不一致"),
        "documents": _l(
            "成果相关", "需求与团队成员论文、专利、项目中最相关几篇的相关程度（近年的权重较高）"
        ),
        "field": _l("领域一致", "双方国家自然科学基金学科代码的一致程度（无代码时按内容推断）"),
        "mode": _l("合作方式", "需求希望的合作方式与对方可提供的方式是否一致"),
        "region": _l("地域", "同城最高，同省次之，省外最低"),
        "skills": _l("技能匹配", "岗位要求的技能在人才库技能中出现的比例"),
        "major": _l("专业对口", "岗位要求的专业与毕业生专业是否一致或相近"),
        "education": _l("学历符合", "毕业生学历是否达到岗位最低学历要求"),
        "capacity": _l("人数充足", "毕业生人数能否满足岗位招聘人数"),
        "policy": _l("政策加权", "专精特新、高新技术企业等资质按政策优先的系数"),
    },
    # MatchedTerms fields: why a pair matched.
    "matched": {
        "keywords": _l("共同关键词", "双方都出现的关键词，信息量大的在前"),
        "documents": _l("相关成果", "团队成员的论文、专利、项目中与需求最相关的几篇"),
        "skills": _l("共同技能", "岗位要求且人才库具备的技能"),
        "majors": _l("对口专业", "岗位要求且与毕业生一致的专业"),
        "fields": _l("共同学科", "双方一致的学科；标“推断”的是根据内容推断的学科"),
        "modes": _l("共同合作方式", "需求希望且对方可提供的合作方式"),
    },
    # graph.methods(): assignment methods.
    "method": {
        "optimal": _l("总分最优", "使全部配对的匹配度之和最大"),
        "stable": _l("稳定匹配", "没有一对双方都更愿意彼此配对而放弃现有配对"),
        "fair": _l("兼顾公平", "先保证每个需求尽量有合适的对象，再提高总分"),
        "ranked": _l("按名次", "每个需求取匹配度最高且仍有余量的对象"),
    },
    "run_state": {
        "queued": _l("排队中", "等待后台计算进程开始"),
        "running": _l("计算中", "正在计算匹配与配对"),
        "succeeded": _l("已完成", "计算完成，结果可以审核"),
        "failed": _l("失败", "计算出错，可查看原因后重新运行"),
        "cancelled": _l("已取消", "运行被取消，没有产生结果"),
    },
    # Progress stages a run reports (service/rounds/worker.py, service/rounds/pipeline.py).
    "stage": {
        "snapshot": _l("读取数据", "读取本轮参与的需求与供给"),
        "claimed": _l("已开始", "后台计算进程已接手"),
        "scoring": _l("计算匹配度", "为每个需求计算候选对象的匹配度"),
        "assigning": _l("求解配对", "按所选方法求解配对方案"),
        "assembling": _l("整理结果", "整理排名、备选和未匹配原因"),
        "storing": _l("保存结果", "把结果写入数据库"),
        "succeeded": _l("已完成", "计算完成，结果可以审核"),
        "failed": _l("失败", "计算出错，可查看原因后重新运行"),
        "cancelled": _l("已取消", "运行被取消，没有产生结果"),
    },
    "round_state": {
        "draft": _l("草稿", "活动尚未开放报名"),
        "open": _l("报名中", "参与方可以报名、揭榜"),
        "matching": _l("匹配中", "正在计算配对"),
        "review": _l("待审核", "对接专员审核配对结果"),
        "published": _l("已发布", "配对已公布，等待双方确认"),
        "closed": _l("已结束", "活动结束，不再变更"),
    },
    "round_kind": {
        "open_challenge": _l("揭榜挂帅", "企业张榜、高校院所揭榜的研发需求对接"),
        "recruitment_fair": _l("招聘会", "招聘岗位与高校人才库的对接"),
    },
    # graph.model.Reason: why a candidate was not chosen.
    "reason": {
        "forbidden": _l("已排除", "该配对被禁止（冲突或已婉拒）"),
        "unacceptable": _l("不在意向内", "一方的意向名单不包括对方"),
        "below_threshold": _l("低于门槛", "匹配度低于公平方法的门槛"),
        "taken_by_higher": _l("名额已被更优者占用", "对方名额已满，且占用者的匹配度都不低于此项"),
        "capacity_full": _l("对方名额已满", "对方名额已满，为整体方案保留了其他配对"),
        "demand_full": _l("需求已满", "该需求的对接对象数已达上限"),
        "available": _l("可作备选", "对方仍有余量，可作为备选"),
        "not_chosen": _l("未入选", "未被方案选中"),
    },
    # graph.model.Unmatched.reason
    "unmatched": {
        "no_candidates": _l("没有候选", "没有任何匹配度大于零的对象"),
        "no_capacity": _l("候选均已满", "候选对象的名额都已用完"),
        "not_chosen": _l("未被选中", "有候选，但整体方案没有为它配对"),
    },
    "response": {
        "pending": _l("待答复", "对方尚未答复"),
        "accepted": _l("接受", "同意对接"),
        "declined": _l("婉拒", "不同意对接"),
    },
    "outcome": {
        "none": _l("未登记", "尚未登记对接成果"),
        "meeting_held": _l("洽谈已举行", "双方已见面洽谈"),
        "contract_signed": _l("已签约", "双方已签订合同"),
        "hired": _l("已录用", "已录用毕业生"),
    },
    "side": {
        "demand": _l("需求方", "企业：研发需求或招聘岗位"),
        "supply": _l("供给方", "高校、院所：科研能力或人才库"),
    },
    # Export files of a round (service/rounds/exports.py TABLES) and of the public catalogue.
    "export": {
        "ranked": _l("排序结果", "每个需求的候选对象及匹配度，按名次排列"),
        "assignment": _l("配对结果", "每个需求最终选定的配对"),
        "schedule": _l("洽谈日程", "招聘会每场洽谈的时段与桌号"),
        "catalogue": _l("研发需求目录", "按城市和行业编号的研发需求与揭榜挂帅榜单"),
    },
    "capability_kind": {
        "expertise": _l("专家团队", "高校、院所的研究团队"),
        "achievement": _l("科技成果与专利", "可转化的科技成果和专利"),
        "equipment": _l("共享设备", "可对外开放共享的仪器设备"),
    },
    "org_kind": {
        "enterprise": _l("企业", "发布研发需求和招聘岗位"),
        "university": _l("高校", "发布科研能力和人才库"),
        "institute": _l("科研院所", "发布科研能力"),
        "agency": _l("服务机构", "科技服务、中介机构"),
    },
    "status": {
        "draft": _l("草稿", "仅发布机构和管理人员可见"),
        "published": _l("已发布", "所有人可见"),
        "closed": _l("已关闭", "不再接受对接"),
    },
}


def label(group: str, key: str) -> str:
    """The Chinese label of ``key`` in ``group``; the key itself when unknown (never an error)."""
    entry = LABELS.get(group, {}).get(key)
    return entry.label if entry else key


def hint(group: str, key: str) -> str:
    entry = LABELS.get(group, {}).get(key)
    return entry.hint if entry else ""


def export_filename(stem: str, ext: str, prefix: str = "") -> str:
    """A Chinese file name for an export (``对接活动3-排序结果.xlsx``), never ``ranked.xlsx``."""
    return f"{prefix}{label('export', stem)}.{ext}"
