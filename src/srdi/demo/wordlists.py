"""Word lists and weights for the synthetic demo registry. All lists are our own; none is copied from a data set.

Weights are rough guesses of where technology SMEs sit (南山/宝安/龙岗 in 深圳, the main urban and industrial
districts of 重庆); they make the demo look plausible and claim nothing about real statistics.
"""

from __future__ import annotations

from datetime import date

# Share of enterprises per city, then per county-level code inside the city. Every county-level code of the three
# cities gets a non-zero weight so that every district shows up in the demo (code → weight).
CITY_WEIGHTS = {"4403": 45, "4419": 25, "50": 30}
SHENZHEN_WEIGHTS = {
    "440303": 4,  # 罗湖
    "440304": 7,  # 福田
    "440305": 18,  # 南山
    "440306": 18,  # 宝安
    "440307": 16,  # 龙岗
    "440308": 1,  # 盐田
    "440309": 12,  # 龙华
    "440310": 4,  # 坪山
    "440311": 6,  # 光明
}
# 重庆: heavier weights for the main urban and industrial districts; every other county-level code gets 1.
CHONGQING_HEAVY = {
    "500112": 14,  # 渝北
    "500107": 12,  # 九龙坡
    "500105": 8,  # 江北
    "500106": 8,  # 沙坪坝
    "500108": 7,  # 南岸
    "500113": 6,  # 巴南
    "500109": 6,  # 北碚
    "500120": 5,  # 璧山
    "500116": 5,  # 江津
    "500118": 5,  # 永川
    "500102": 4,  # 涪陵
    "500115": 3,  # 长寿
    "500117": 3,  # 合川
    "500111": 3,  # 大足
    "500103": 3,  # 渝中
    "500104": 2,  # 大渡口
    "500101": 2,  # 万州
    "500110": 2,  # 綦江
    "500151": 2,  # 铜梁
    "500153": 2,  # 荣昌
}

# 东莞 has no county-level districts (441900 covers the whole city); the address names a 镇街 or 功能区 instead.
DONGGUAN_TOWNS = (
    "莞城街道", "南城街道", "东城街道", "万江街道", "石碣镇", "石龙镇", "茶山镇", "石排镇", "企石镇", "横沥镇",
    "桥头镇", "谢岗镇", "东坑镇", "常平镇", "寮步镇", "樟木头镇", "大朗镇", "黄江镇", "清溪镇", "塘厦镇",
    "凤岗镇", "大岭山镇", "长安镇", "虎门镇", "厚街镇", "沙田镇", "道滘镇", "洪梅镇", "麻涌镇", "望牛墩镇",
    "中堂镇", "高埗镇", "松山湖",
)  # fmt: skip

# GB/T 4754-2017 大类 (2-digit) → weight. Manufacturing (C), software/IT (64/65) and scientific and technical
# services (73/74/75) dominate; wholesale, retail, construction, transport and leasing are there so that 划型 runs
# through several 300号 groups.
DIVISION_WEIGHTS: dict[str, float] = {
    # C 制造业
    "39": 14, "35": 7, "38": 7, "34": 6, "40": 3, "36": 3, "33": 3, "29": 3, "26": 2.5, "27": 2.5, "30": 1.2,
    "37": 1, "32": 1, "31": 0.4, "41": 0.5, "42": 0.3, "43": 0.6, "13": 0.6, "14": 0.6, "15": 0.3, "17": 0.8,
    "18": 1, "19": 0.4, "20": 0.3, "21": 1, "22": 0.6, "23": 0.8, "24": 1.2, "28": 0.2,
    # D 电力、燃气; E 建筑业
    "44": 0.6, "47": 0.8, "48": 0.8, "49": 0.8, "50": 0.6,
    # F 批发和零售业
    "51": 4, "52": 2,
    # G 交通运输、仓储
    "54": 0.4, "58": 0.4, "59": 0.5,
    # I 信息传输、软件和信息技术服务业
    "63": 0.4, "64": 2, "65": 12,
    # L 租赁和商务服务业; M 科学研究和技术服务业; N 生态环境
    "72": 1.2, "73": 4, "74": 2.5, "75": 4, "77": 0.6,
}  # fmt: skip

# Revenue per employee (万元/人), median of a log-normal draw, per 300号 size group id.
REVENUE_PER_EMPLOYEE_WAN = {
    "industry": 75,
    "software_it": 45,
    "information_transmission": 80,
    "wholesale": 380,
    "retail": 120,
    "construction": 95,
    "transport": 70,
    "warehousing": 60,
    "leasing_business_services": 60,
    "other": 38,
}

# 字号 characters: common, positive-sounding characters used in company names.
TRADE_NAME_CHARS = "".join(
    dict.fromkeys(
        "华鑫泰科创达信源瑞博嘉恒优联智汇丰宏盛通安德明新天海金宇星中精锐诚和力拓卓越美宝光辰晟昊澳腾飞翔峰佳"
        "鼎润祥顺弘远正伟迅捷迈维思睿图灵芯微云数格特奥凯乐欣兴隆森林晶耀航帆驰骏麒麟龙凤洲川江湖山岳泽沃宸"
        "烨炜熙琪璟钧铭锋骐豪威迪朗纳普兆亿环球际众合同协利益康健福禄贝蓝青绿紫银铂钛硅磁能量纬经"
    )
)

# Industry word of the company name, by 大类; the fallback is per 门类.
DIVISION_WORDS: dict[str, tuple[str, ...]] = {
    "39": ("电子科技", "微电子", "光电科技", "通信技术", "电子", "半导体"),
    "35": ("智能装备", "机械设备", "自动化设备", "精密机械", "医疗器械"),
    "38": ("电气", "新能源科技", "电池科技", "电器", "光伏科技"),
    "34": ("精密机械", "机电设备", "液压科技", "传动技术", "智能装备"),
    "40": ("仪器仪表", "测控技术", "传感技术", "计量科技"),
    "36": ("汽车零部件", "汽车电子", "车辆科技"),
    "33": ("五金制品", "精密五金", "金属制品"),
    "29": ("塑胶制品", "橡塑科技", "新材料"),
    "26": ("化工科技", "新材料", "精细化工"),
    "27": ("生物医药", "制药", "医药科技"),
    "30": ("新材料", "陶瓷科技", "玻璃科技"),
    "32": ("金属材料", "合金科技"),
    "37": ("航空科技", "船舶科技", "轨道交通设备"),
    "17": ("纺织", "纺织科技"),
    "18": ("服饰", "服装"),
    "13": ("食品", "农产品加工"),
    "14": ("食品", "饮品"),
    "21": ("家具", "家居"),
    "23": ("印刷", "包装"),
    "24": ("文体用品", "工艺品"),
    "44": ("能源科技", "电力科技"),
    "51": ("贸易", "供应链管理", "商贸", "电子商务"),
    "52": ("商贸", "零售连锁", "百货"),
    "54": ("物流", "运输"),
    "58": ("国际货运代理", "物流"),
    "59": ("仓储", "供应链"),
    "63": ("通信技术", "网络技术"),
    "64": ("网络科技", "互联网科技", "数字科技"),
    "65": ("软件", "信息技术", "数据科技", "智能科技", "数字技术", "信息科技"),
    "72": ("企业管理咨询", "商务服务"),
    "73": ("生物科技", "技术研究院", "新材料研究"),
    "74": ("检测技术", "工程设计", "质量检测"),
    "75": ("技术服务", "科技发展", "技术转移", "环保科技"),
    "77": ("环保科技", "环境工程"),
}
SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "C": ("科技", "实业", "工业", "制造"),
    "E": ("建设工程", "建筑工程", "机电工程", "装饰工程"),
    "F": ("商贸", "贸易"),
    "G": ("物流",),
    "I": ("信息技术", "科技"),
    "L": ("商务服务",),
    "M": ("科技", "技术服务"),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAME_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯俊晨欣悦思雨婷颖琳晓东海波"
)

ROAD_STEMS = (
    "创业", "科技", "工业", "兴业", "新城", "和平", "东环", "西环", "中心", "学府", "滨海", "人民", "建设", "发展",
    "振兴", "高新", "创新", "智造", "金融", "环城", "青年", "锦绣", "长岭", "翠竹", "凤凰", "松柏", "梧桐", "银河",
)  # fmt: skip
ROAD_SUFFIXES = ("路", "大道", "街", "一路", "二路")
PARKS = ("科技园", "工业园", "产业园", "创新中心", "孵化基地", "智造园")

# Product wording for industries without a product list in 战略性新兴产业分类(2018).
PRODUCT_SERIES = ("系列", "组件", "模组", "系统", "解决方案", "产品")
SERVICE_SERIES = ("服务", "解决方案", "业务", "综合服务")
PATENT_METHOD_WORDS = ("方法", "装置", "系统", "结构", "工艺", "控制方法", "检测方法", "制备方法")
PATENT_TOPIC_WORDS = (
    "高精度", "低功耗", "自适应", "模块化", "智能化", "高可靠性", "快速", "节能型", "一体化", "多通道", "柔性", "微型",
)  # fmt: skip
DESIGN_OBJECTS = ("设备外壳", "控制面板", "操作终端", "显示模组", "包装盒", "机柜")
SOFTWARE_WORDS = ("管理系统", "监控平台", "数据分析平台", "控制软件", "云服务平台", "调度系统", "检测软件")

CERT_MANAGEMENT = ("ISO 14001 环境管理体系认证", "ISO 45001 职业健康安全管理体系认证", "IATF 16949 汽车质量管理体系认证",
                   "ISO 27001 信息安全管理体系认证", "ISO 13485 医疗器械质量管理体系认证")  # fmt: skip
CERT_DEVELOPED_MARKET = ("欧盟 CE 认证", "美国 UL 认证", "美国 FDA 注册", "德国 TÜV 认证", "日本 PSE 认证")
RD_INSTITUTION_KINDS = (
    "工程技术研究中心",
    "企业技术中心",
    "重点实验室",
    "工业设计中心",
    "博士后创新实践基地",
)

# Announcement batches (date, batch name). The dates are SYNTHETIC: plausible batch rhythms (创新型 twice a year
# from 2022, 专精特新 yearly, 小巨人 national batches), not the real announcement dates.
INNOVATIVE_BATCHES = (
    (date(2022, 9, 26), "2022年第一批"), (date(2022, 12, 20), "2022年第二批"),
    (date(2023, 6, 28), "2023年第一批"), (date(2023, 11, 15), "2023年第二批"),
    (date(2024, 6, 20), "2024年第一批"), (date(2024, 11, 28), "2024年第二批"),
    (date(2025, 6, 25), "2025年第一批"), (date(2025, 11, 20), "2025年第二批"),
    (date(2026, 8, 18), "2026年第一批"),
)  # fmt: skip
SRDI_BATCHES = (
    (date(2021, 12, 15), "2021年"), (date(2022, 12, 9), "2022年"), (date(2023, 12, 12), "2023年"),
    (date(2024, 12, 5), "2024年"), (date(2025, 12, 10), "2025年"), (date(2026, 10, 30), "2026年"),
)  # fmt: skip
LITTLE_GIANT_BATCHES = (
    (date(2021, 7, 19), "第三批"), (date(2022, 8, 11), "第四批"), (date(2023, 7, 26), "第五批"),
    (date(2024, 9, 12), "第六批"), (date(2025, 8, 28), "第七批"),
)  # fmt: skip
