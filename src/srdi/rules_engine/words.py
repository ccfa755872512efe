"""Any rule expression as a Chinese phrase written from the rule file's labels — what a person reads in a gap
sentence instead of the expression text (issue 15: "gap sentences written from the rule's labels, never its
expression text"). ``render`` (expr.nodes) stays the source-like form for traces of the rule itself and SQL."""

from __future__ import annotations

from srdi.rules_engine import fmt
from srdi.rules_engine.expr.nodes import And, Arith, Call, Cmp, In, Lit, Neg, Node, Not, Or, Var
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.model import RuleSet

VERB = {">=": "达到", ">": "超过", "<=": "不高于", "<": "低于", "==": "为", "!=": "不为"}
_ARITH = {"+": "加", "-": "减", "*": "乘以", "/": "除以"}
_CALLS = {"min": "较小者", "max": "较大者", "avg": "平均值", "floor": "取整"}


def label(rs: RuleSet, name: str) -> str:
    """The rule file's label of a name; a name without one is described, never shown as the identifier."""
    return rs.labels.get(name) or "（未命名的规则项）"


def choice(rs: RuleSet, name: str | None, value: object) -> str:
    """A compared string value by its label (``choices`` of the input): 中型, not "medium"."""
    if isinstance(value, str) and name is not None:
        return rs.choice_labels.get(name, {}).get(value, value)
    return fmt.show(value, None)  # None is 未知


def phrase(rs: RuleSet, node: Node, unit_type: Type | None = None) -> str:
    """A noun phrase for a value expression, or a clause for a condition."""
    if isinstance(node, Var):
        return label(rs, node.name)
    if isinstance(node, Lit):
        return fmt.show(node.value, lit_type(node, unit_type))
    if isinstance(node, Neg):
        return f"负的{phrase(rs, node.operand)}"
    if isinstance(node, Arith):
        left, right = phrase(rs, node.left), phrase(rs, node.right, _type_of(rs, node.left))
        if node.op == "/":
            return f"{left}占{right}的比例"
        return f"{left}{_ARITH[node.op]}{right}"
    if isinstance(node, Cmp):
        compared = node.right
        if isinstance(compared, Lit) and isinstance(compared.value, str):
            name = node.left.name if isinstance(node.left, Var) else None
            value = choice(rs, name, compared.value)
        else:
            value = phrase(rs, compared, _type_of(rs, node.left))
        return f"{phrase(rs, node.left)}{VERB[node.op]} {value}"
    if isinstance(node, And):
        return "，且".join(phrase(rs, i) for i in node.items)
    if isinstance(node, Or):
        return "以下之一：" + "；或".join(phrase(rs, i) for i in node.items)
    if isinstance(node, Not):
        if isinstance(node.operand, Var):
            return f"不存在：{label(rs, node.operand.name)}"
        return f"不满足：{phrase(rs, node.operand)}"
    if isinstance(node, In):
        name = node.operand.name if isinstance(node.operand, Var) else None
        options = "、".join(choice(rs, name, o) for o in node.options)
        return f"{phrase(rs, node.operand)}为{options}之一"
    return _call(rs, node)


def _call(rs: RuleSet, node: Call) -> str:
    args = [phrase(rs, a) for a in node.args]
    if node.name == "cagr" and len(args) >= 2:
        return f"{args[0]}至{args[1]}的复合增长率"
    if node.name == "is_known":
        return f"已填报{args[0]}" if args else "已填报"
    if node.name == "count":
        return f"{'、'.join(args)}的数量"
    if node.name in ("all", "any"):
        return ("全部满足：" if node.name == "all" else "满足其一：") + "、".join(args)
    return f"{'、'.join(args)}的{_CALLS.get(node.name, '计算值')}"


def _type_of(rs: RuleSet, node: Node) -> Type | None:
    return rs.types.get(node.name) if isinstance(node, Var) else None


def lit_type(lit: Lit, var_type: Type | None) -> Type:
    if lit.unit == "money":
        return Type.MONEY
    if lit.unit == "number" and var_type in (None, Type.NUMBER):
        return Type.NUMBER
    return var_type if var_type is not None else Type.INT
