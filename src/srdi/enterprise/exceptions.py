from srdi.kit.errors import ConflictError, NotFoundError, PermissionDenied


class EnterpriseNotFound(NotFoundError):
    def __init__(self, key: object):
        super().__init__("未找到该企业", f"enterprise not found: {key}")


class DuplicateUscc(ConflictError):
    def __init__(self, uscc: str):
        super().__init__(f"统一社会信用代码 {uscc} 已存在", f"duplicate uscc {uscc}")


class SourceNotAllowed(PermissionDenied):
    def __init__(self, label: str):
        super().__init__(
            f"本账号不能把数据来源记为“{label}”：已核验须经核验操作并填写核验说明，演示数据只能由演示命令生成",
            f"this account may not record the source {label!r}",
        )


class AwardNotFound(NotFoundError):
    def __init__(self, key: object):
        super().__init__("未找到该奖项记录", f"award not found: {key}")
