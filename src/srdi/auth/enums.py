"""Roles of PRODUCT.md §1, with the identifiers of docs/glossary.md where it names them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    enterprise = "enterprise"
    district_official = "district_official"
    city_official = "city_official"
    provincial_official = "provincial_official"
    department_handler = "department_handler"
    service_commissioner = "service_commissioner"
    expert = "expert"
    bank = "bank"
    chain_leader = "chain_leader"
    admin = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.enterprise: "企业用户",
    Role.district_official: "区县主管部门",
    Role.city_official: "市级主管部门",
    Role.provincial_official: "省级主管部门",
    Role.department_handler: "责任单位经办人",
    Role.service_commissioner: "服务专员",
    Role.expert: "评审专家",
    Role.bank: "金融机构",
    Role.chain_leader: "链主企业",
    Role.admin: "系统管理员",
}

# Length of the region_code prefix that scopes each official role: 区县 6 digits, 市 4, 省 2.
OFFICIAL_SCOPE_LENGTH: dict[Role, int] = {
    Role.district_official: 6,
    Role.city_official: 4,
    Role.provincial_official: 2,
}

OFFICIAL_ROLES = frozenset(OFFICIAL_SCOPE_LENGTH)

# Role groups that routers admit (docs/decisions/0006-authorization.md), defined once.
OFFICIALS = (Role.district_official, Role.city_official, Role.provincial_official)
ENTERPRISE_SELF = (Role.enterprise, Role.chain_leader)
MANAGERS = (Role.admin, *OFFICIALS)
MONITORS = (Role.admin, *OFFICIALS, Role.service_commissioner)
REGISTRY_READERS = (*MONITORS, *ENTERPRISE_SELF)
# Roles whose account belongs to one enterprise (a chain leader is itself an enterprise).
ENTERPRISE_BOUND_ROLES = frozenset({Role.enterprise, Role.chain_leader})
# Roles that must carry a region scope: officials, and commissioners (they serve the enterprises of one area).
REGION_SCOPED_ROLES = OFFICIAL_ROLES | {Role.service_commissioner}


class AuditAction(StrEnum):
    """Stable action names of audit rows; other domains add their own ``<domain>.<verb>`` strings."""

    login = "auth.login"
    login_failed = "auth.login_failed"
    logout = "auth.logout"
    password_changed = "auth.password_changed"
    user_created = "user.create"
    user_updated = "user.update"
    user_deactivated = "user.deactivate"
    user_activated = "user.activate"
    password_reset = "user.reset_password"
    enterprise_created = "enterprise.create"
    yearly_figures_updated = "enterprise.yearly_figures.update"
    contact_revealed = "enterprise.contact.read_unmasked"
    award_created = "enterprise.award.create"
    award_updated = "enterprise.award.update"
    award_deleted = "enterprise.award.delete"
    audit_log_read = "audit.read"
    audit_log_exported = "audit.export"

    @property
    def label(self) -> str:
        return AUDIT_ACTION_LABELS[self.value]


# What each audit action means, for the audit log page and its export (other domains' ``<domain>.<verb>`` strings
# included). An action missing here is shown as its code.
AUDIT_ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.logout": "退出登录",
    "auth.password_changed": "修改本人密码",
    "user.create": "新建用户",
    "user.update": "修改用户",
    "user.deactivate": "停用用户",
    "user.activate": "启用用户",
    "user.reset_password": "重置用户密码",
    "enterprise.create": "新建企业",
    "enterprise.yearly_figures.update": "修改年度数据",
    "enterprise.contact.read_unmasked": "查看完整联系方式",
    "enterprise.export": "导出企业名单",
    "enterprise.import": "导入企业数据",
    "audit.read": "查询审计日志",
    "audit.export": "导出审计日志",
    "criteria.evaluate": "梯度评价",
    "criteria.batch_run": "批量评价",
    "policy.draft": "起草政策版本",
    "policy.publish": "发布政策版本",
    "policy.sandbox": "政策沙盘测算",
    "policy.answers.update": "填写政策补充信息",
    "auto_grant.run": "免申即享测算",
    "auto_grant.publish": "免申即享公示",
    "auto_grant.consent": "企业确认收款信息",
    "auto_grant.decline": "企业放弃奖补",
    "auto_grant.contest": "企业提出异议",
    "auto_grant.contest.resolve": "处理异议",
    "auto_grant.disburse": "拨付",
    "auto_grant.disbursement.export": "导出拨付清单",
    "appeal.create": "提交诉求",
    "appeal.department.save": "保存责任单位",
    "appeal.sweep": "执行超时督办",
    "appeal.attachment.upload": "上传诉求附件",
    "appeal.attachment.download": "下载诉求附件",
    "calendar.year.save": "录入工作日历年度安排",
    "casework.assign": "分配服务专员",
    "casework.visit": "登记走访",
    "application.batch.create": "开设申报批次",
    "application.create": "新建申报",
    "application.update": "填写申报",
    "application.submit": "提交申报",
    "application.review": "审核申报",
    "application.assign_experts": "双随机抽取专家",
    "application.objection": "登记公示异议",
    "application.objection.answer": "答复公示异议",
    "application.announce": "公告认定",
    "application.evidence.upload": "上传证明材料",
    "application.evidence.download": "下载证明材料",
    "application.evidence.delete": "删除证明材料",
    "application.expert.create": "专家入库",
    "application.expert.score": "专家评分",
    "dynamic.annual_update.open": "开启年度更新",
    "dynamic.annual_update.submit": "提交年度更新",
    "dynamic.annual_update.acknowledge": "确认年度更新",
    "dynamic.annual_update.sweep": "年度更新逾期检查",
    "dynamic.major_change.report": "报告重大变化",
    "dynamic.major_change.acknowledge": "确认重大变化报告",
    "dynamic.revoke": "撤销认定",
    "dynamic.certificate.download": "下载认定证书",
    "matchmaking.need.post": "发布供需对接需求",
    "matchmaking.need.approve": "审核通过需求",
    "matchmaking.need.reject": "审核不通过需求",
    "matchmaking.need.withdraw": "撤回需求",
    "matchmaking.need.start": "需求开始攻关",
    "matchmaking.need.deliver": "确认交付",
    "matchmaking.need.fail": "记录揭榜未成功",
    "matchmaking.bid.place": "提交揭榜方案",
    "matchmaking.bid.shortlist": "揭榜方案入围",
    "matchmaking.bid.select": "选定揭榜方",
    "matchmaking.bid.decline": "揭榜方案未入选",
    "matchmaking.bid.withdraw": "撤回揭榜方案",
    "matchmaking.milestone.add": "新增里程碑",
    "matchmaking.milestone.done": "里程碑完成",
    "matchmaking.contract.record": "登记采购合同",
    "matchmaking.contract.confirm": "供方确认采购合同",
    "matchmaking.contract.verify": "核实采购合同",
    "matchmaking.event.create": "创建对接活动",
    "matchmaking.event.hold": "确认对接活动已举办",
    "matchmaking.event.cancel": "取消对接活动",
    "matchmaking.event.register": "报名对接活动",
    "matchmaking.event.unregister": "取消活动报名",
    "matchmaking.event.attendance": "登记活动出席",
    "matchmaking.event.meeting": "登记活动洽谈",
    "matchmaking.event.outcome": "登记活动合作成果",
    "matchmaking.event.outcome_confirm": "供方确认合作成果",
    "matchmaking.event.outcome_verify": "核实活动合作成果",
    "matchmaking.talent.post": "发布用人用工需求",
    "matchmaking.talent.respond": "响应用人用工需求",
    "matchmaking.talent.close": "关闭用人用工需求",
    "matchmaking.talent.outcome": "登记招聘成效",
    "policy.verification.verify": "核验通过",
    "appeal.accept": "受理诉求",
    "appeal.reject": "不予受理诉求",
    "appeal.dispatch": "转派诉求",
    "appeal.start": "开始办理诉求",
    "appeal.return": "退回诉求",
    "appeal.answer": "答复诉求",
    "appeal.close": "办结诉求",
    "appeal.rate": "评价诉求",
    "appeal.redo": "诉求重办",
    "enterprise.award.create": "新增获奖记录",
    "enterprise.award.update": "修改获奖记录",
    "enterprise.award.delete": "删除获奖记录",
    "enterprise.award.import": "导入获奖记录",
    "finance.product_create": "新建贷款产品",
    "finance.product_review": "审核贷款产品",
    "finance.request_submit": "发送融资需求",
    "finance.request_accept": "受理融资需求",
    "finance.request_ask_info": "要求补充融资材料",
    "finance.request_supply_info": "补充融资材料",
    "finance.request_approve": "批准融资",
    "finance.request_decline": "拒绝融资",
    "finance.request_withdraw": "撤回融资需求",
    "finance.whitelist_generate": "生成融资白名单",
    "finance.whitelist_approve": "审定融资白名单",
    "finance.whitelist_export": "下载融资白名单",
    "finance.bank_member_set": "关联银行账号所属机构",
    "matchmaking.need.submit": "提交需求审核",
    "matchmaking.need.select": "选定揭榜企业",
    "monitoring.aggregates.refresh": "刷新监测汇总",
    "monitoring.figure.report": "填报监测数据",
    "monitoring.report.create": "生成通报",
    "monitoring.report.export": "下载通报",
    "monitoring.target.set": "设定目标",
    "monitoring.target.delete": "删除目标",
    "policy.verification.reject": "核验不通过",
    "matchmaking.capability.save": "发布能力与产品",
    "matchmaking.capability.delete": "删除能力与产品",
}


def audit_action_label(action: str) -> str:
    return AUDIT_ACTION_LABELS.get(action, action)


# What an audit row is about, in words (the audit log page shows 企业 #12, not "enterprise 12"). A type a new
# domain audits without adding it here is shown as 记录, never as its code.
AUDIT_OBJECT_LABELS: dict[str, str] = {
    "appeal": "诉求",
    "audit_log": "审计日志",
    "award": "获奖记录",
    "batch_run": "批量评价任务",
    "calendar_year": "工作日历年份",
    "contest": "比赛",
    "department": "责任单位",
    "disbursement_batch": "拨付批次",
    "enterprise": "企业",
    "grant": "兑付记录",
    "grant_run": "免申即享批次",
    "import_job": "导入任务",
    "policy": "政策",
    "policy_version": "政策版本",
    "user": "用户",
    "verification_request": "核验申请",
}


def audit_object_label(object_type: str | None) -> str | None:
    if object_type is None:
        return None
    return AUDIT_OBJECT_LABELS.get(object_type, "记录")


# The demo accounts' regions (srdi.auth.demo); other domains' demo content is placed in the same district.
DEMO_REGION_DISTRICT = "440305"  # 广东省深圳市南山区
DEMO_REGION_CITY = "4403"  # 深圳市
DEMO_REGION_PROVINCE = "44"  # 广东省
