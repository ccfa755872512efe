from srdi.kit.errors import NotFoundError, ValidationFailed


class EvaluationNotFound(NotFoundError):
    def __init__(self, key: object):
        super().__init__("未找到该评价记录", f"evaluation not found: {key}")


class BatchRunNotFound(NotFoundError):
    def __init__(self, key: object):
        super().__init__("未找到该批量评价任务", f"batch run not found: {key}")


class RuleSetNotFound(NotFoundError):
    def __init__(self, key: object):
        super().__init__(f"未找到规则集 {key}", f"rule set not found: {key}")


class BadFacts(ValidationFailed):
    def __init__(self, problem: str):
        super().__init__(f"企业事实数据有误：{problem}", f"bad facts document: {problem}")


class NoRegime(ValidationFailed):
    def __init__(self, as_of: object):
        super().__init__(f"{as_of} 没有适用的认定制度（规则最早自2022-08-01起）", f"no regime covers {as_of}")
