"""Public, read-only endpoints of the 企业自测 page (no login; nothing stored; throttled per IP)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from srdi.criteria.schemas import AssessmentOut
from srdi.kit.reference import industries, regions
from srdi.kit.workdays import beijing_today
from srdi.self_test import service
from srdi.self_test.throttle import throttled

router = APIRouter(prefix="/self-test", tags=["企业自测 self-test"], dependencies=[Depends(throttled)])


class Choice(BaseModel):
    value: str
    label: str


class QuestionOut(BaseModel):
    key: str = Field(description="问题编号（提交回答时用）")
    label: str = Field(description="问题")
    unit: str = Field(description="单位（金额一律为万元）")
    type: str = Field(
        description="bool 是/否、int 整数、money 金额（万元）、number 数字、str 选项、date 日期"
    )
    group: str = Field(description="yearly 年度经营数据、records 资质与荣誉、other 其他情况")
    choices: list[Choice] = Field(description="可选值（type 为 str 时）")
    used_by: list[str] = Field(description="用到此项的梯度或政策")


class QuestionsOut(BaseModel):
    as_of: date
    questions: list[QuestionOut]


class OptionOut(BaseModel):
    code: str
    label: str


class OptionsOut(BaseModel):
    regions: list[OptionOut] = Field(description="区县（代码与名称）")
    industries: list[OptionOut] = Field(description="国民经济行业小类（GB/T 4754-2017）")


class AnswersIn(BaseModel):
    region_code: str | None = Field(None, pattern=r"^\d{6}$", description="所在区县代码")
    industry_code: str | None = Field(None, pattern=r"^\d{4}$", description="行业小类代码")
    as_of: date | None = Field(None, description="基准日（默认今天，北京时间）")
    answers: dict[str, bool | int | float | str | None] = Field(
        default_factory=dict, max_length=service.MAX_ANSWERS, description="问题编号 → 回答（金额为万元）"
    )


class PolicyEstimate(BaseModel):
    policy_key: str
    title: str
    status: str = Field(description="eligible 符合、unknown 待补充、ineligible 不符合")
    amount_fen: int | None = Field(description="估算金额（分）")
    amount_is_maximum: bool
    benefit_description: str
    reasons: list[str]
    missing: list[str] = Field(description="尚需回答的事项")
    departments: list[str]


class SelfTestOut(BaseModel):
    assessment: AssessmentOut
    policies: list[PolicyEstimate]


@router.get("/options", response_model=OptionsOut, summary="企业自测：可选的区县与行业")
def options() -> OptionsOut:
    return OptionsOut(
        regions=[
            OptionOut(
                code=r.code,
                label=f"{r.province_name}{'' if r.city_name == '市辖区' else r.city_name}{r.name}",
            )
            for r in regions().values()
        ],
        industries=[OptionOut(code=i.code, label=i.name) for i in industries().values() if i.level == 4],
    )


@router.get("/questions", response_model=QuestionsOut, summary="企业自测：评价与政策所需的问题（按地区）")
def questions(
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="所在区县代码")] = None,
    as_of: Annotated[date | None, Query(description="基准日")] = None,
) -> QuestionsOut:
    day = as_of or beijing_today()
    qs: list[Any] = [q.out() for q in service.questions(day, region_code).values()]
    return QuestionsOut(as_of=day, questions=[QuestionOut.model_validate(q) for q in qs])


@router.post(
    "/assess", response_model=SelfTestOut, summary="企业自测：按回答评价全部梯度并测算可享政策（不保存）"
)
def assess(body: AnswersIn) -> SelfTestOut:
    day = body.as_of or beijing_today()
    tiers, policies = service.assess_answers(
        body.answers, region_code=body.region_code, industry_code=body.industry_code, as_of=day
    )
    return SelfTestOut(assessment=tiers, policies=[PolicyEstimate.model_validate(p) for p in policies])
