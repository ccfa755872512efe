from srdi.kit.errors import ConflictError, NotFoundError


class EnterpriseNotFound(NotFoundError):
    def __init__(self, key: object):
        super().__init__("未找到该企业", f"enterprise not found: {key}")


class DuplicateUscc(ConflictError):
    def __init__(self, uscc: str):
        super().__init__(f"统一社会信用代码 {uscc} 已存在", f"duplicate uscc {uscc}")


class AwardNotFound(NotFoundError):
    def __init__(self, key: object):
        super().__init__("未找到该奖项记录", f"award not found: {key}")
