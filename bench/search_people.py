"""Expert search over 1 000 000 synthetic profiles: tantivy (through the service) vs a LIKE scan
and a bare SQLite FTS5 query on the same data, and the indexing rate vs jieba alone.

    python bench/search_people.py [--people 1000000] [--reps 40] [--dir /tmp/kejia-bench-search] [--rebuild]

The first run builds, in --dir: a throwaway Django SQLite database (reference data, a 2 000-
organization Jiangsu from the `seed_demo` bulk builder, the profiles with their listings,
disciplines and one achievement each, inserted with executemany), the tantivy index (with
`rebuild_index`, the code behind `manage.py rebuild_search_index`: both cores segment, one
writer) and the comparison database (`compare.sqlite3`: the raw text for LIKE, and an FTS5 table
over the same jieba tokens the index holds). Later runs reuse them unless --rebuild is given.
Profiles are generated from discipline vocabularies (seed 20261123): expertise keywords, a
research summary from templates, one achievement title, sometimes an English sentence.

Latency is measured end to end through `kejia.search.services.find_experts` (parse, engine,
reading the hits back from the database), for 1-, 2- and 4-character Chinese queries and English
queries, as a platform administrator (no scope), with filters (sector + age band + region
subtree), and as a county and a city staff member (scope). JSON on stdout, progress on stderr."""

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261123

# Field of work → (level-1 discipline code, Chinese terms, English terms, employer kinds).
FIELDS = {
    "光学": (
        "140",
        "光学成像 激光加工 光纤传感 光电探测 非线性光学 超快激光 光谱分析 显微成像 光学设计 量子光学 光通信 红外成像 偏振成像 光学薄膜 全息技术".split(),
        "optics laser photonics imaging spectroscopy".split(),
        "大学 研究所",
    ),
    "计算机": (
        "520",
        "机器学习 深度学习 计算机视觉 自然语言处理 知识图谱 数据挖掘 分布式系统 云计算 网络安全 数据库 推荐系统 图像识别 智能算法 边缘计算 区块链".split(),
        "machine learning deep vision database security cloud".split(),
        "大学 企业",
    ),
    "材料": (
        "430",
        "钙钛矿 纳米材料 复合材料 高分子材料 金属材料 锂电池 储能材料 陶瓷材料 薄膜制备 材料表征 腐蚀防护 石墨烯 半导体材料 催化材料 生物材料".split(),
        "materials battery graphene polymer catalysis".split(),
        "大学 企业 研究所",
    ),
    "机械": (
        "460",
        "机械设计 数控加工 智能制造 工业机器人 液压传动 精密加工 故障诊断 摩擦磨损 增材制造 结构优化 振动控制 焊接工艺 模具设计 机电一体化 刀具技术".split(),
        "manufacturing robotics machining welding".split(),
        "企业 大学",
    ),
    "电气": (
        "470",
        "电力系统 新能源发电 储能技术 电机控制 智能电网 电力电子 光伏发电 风力发电 继电保护 配电网 高电压 电动汽车 微电网 能源互联网 变压器".split(),
        "power grid energy photovoltaic".split(),
        "企业 研究所",
    ),
    "农学": (
        "210",
        "水稻育种 作物栽培 病虫害防治 土壤改良 设施农业 植物保护 种质资源 农业机械 节水灌溉 有机肥料 果树栽培 蔬菜育种 茶叶加工 农产品加工 智慧农业".split(),
        "rice breeding crop soil agriculture".split(),
        "农技站 研究所 大学",
    ),
    "临床": (
        "320",
        "肿瘤治疗 心血管疾病 糖尿病 微创手术 重症监护 儿科疾病 神经内科 骨科手术 影像诊断 麻醉管理 急诊救治 康复医学 眼科疾病 呼吸疾病 消化内镜".split(),
        "clinical cancer surgery cardiology diagnosis".split(),
        "医院",
    ),
    "药学": (
        "350",
        "药物合成 新药研发 药物制剂 药理毒理 靶向药物 抗体药物 药物分析 天然药物 临床药学 疫苗研发 缓释制剂 药物代谢 生物制药 药品质量 中药制剂".split(),
        "drug pharmacology vaccine antibody".split(),
        "企业 医院 大学",
    ),
    "生物": (
        "180",
        "基因编辑 合成生物学 微生物发酵 蛋白质结构 细胞培养 分子育种 生态修复 免疫治疗 干细胞 基因组学 酶工程 神经科学 植物生理 代谢工程 生物信息".split(),
        "genomics protein microbiology ecology".split(),
        "大学 研究所",
    ),
    "土木": (
        "560",
        "桥梁工程 隧道施工 结构抗震 岩土工程 混凝土结构 装配式建筑 道路工程 地基处理 钢结构 建筑节能 城市规划 给排水 工程监测 BIM技术 智能建造".split(),
        "bridge tunnel concrete construction".split(),
        "企业 大学 设计院",
    ),
    "环境": (
        "610",
        "水污染治理 大气污染 固废处理 环境监测 污水处理 土壤修复 碳排放 生态环境 环境评价 垃圾分类 噪声控制 清洁生产 水环境 碳中和 环境规划".split(),
        "pollution wastewater carbon environment".split(),
        "研究所 企业",
    ),
    "化工": (
        "530",
        "化工工艺 精细化工 石油化工 分离技术 反应工程 化工安全 煤化工 膜分离 催化反应 化工设备 绿色化工 高分子合成 化工过程 涂料 日用化学".split(),
        "chemical process separation catalysis".split(),
        "企业 大学",
    ),
    "数学": (
        "110",
        "偏微分方程 概率统计 运筹优化 数值计算 代数几何 随机过程 图论 控制理论 数理统计 优化算法 动力系统 拓扑学 组合数学 计算数学 金融数学".split(),
        "mathematics statistics optimization probability".split(),
        "大学",
    ),
    "水利": (
        "570",
        "水资源 防洪减灾 水文预报 河道治理 水利工程 灌区管理 水土保持 泵站 大坝安全 海岸工程 港口航道 地下水 水生态 流域管理 水环境治理".split(),
        "hydrology water flood river".split(),
        "设计院 研究所",
    ),
    "中医": (
        "360",
        "中医内科 针灸推拿 中药鉴定 中医康复 经方应用 中医养生 中药炮制 中西医结合 中医妇科 中医儿科 中药药理 中医诊断 治未病 中医骨伤 中药资源".split(),
        "acupuncture herbal medicine".split(),
        "医院 大学",
    ),
    "教育": (
        "880",
        "科学教育 STEM教育 课程改革 教师培训 信息化教学 科普活动 青少年科技 创新教育 实验教学 劳动教育 学科竞赛 教育评价 职业教育 特殊教育 校本课程".split(),
        "education teaching curriculum".split(),
        "学校",
    ),
}
EMPLOYERS = {
    "大学": [
        "南京大学",
        "东南大学",
        "南京航空航天大学",
        "南京理工大学",
        "河海大学",
        "江南大学",
        "苏州大学",
        "江苏大学",
        "扬州大学",
        "南京农业大学",
        "中国矿业大学",
        "南京医科大学",
    ],
    "研究所": ["江苏省农业科学院", "中国科学院南京土壤研究所", "江苏省环境科学研究院", "中国科学院苏州纳米技术与纳米仿生研究所", "江苏省产业技术研究院"],
    "企业": [
        "紫金科技有限公司",
        "徐工集团工程机械股份有限公司",
        "恒瑞医药股份有限公司",
        "南瑞集团有限公司",
        "亨通光电股份有限公司",
        "中天科技集团",
        "无锡先导智能装备股份有限公司",
    ],
    "医院": ["江苏省人民医院", "南京鼓楼医院", "苏州大学附属第一医院", "东南大学附属中大医院", "江苏省中医院", "无锡市人民医院"],
    "农技站": ["玄武区农业技术推广站", "江宁区农业技术推广中心", "溧水区植保站", "高淳区农技推广站"],
    "设计院": ["江苏省交通规划设计院", "华东建筑设计研究院", "江苏省水利勘测设计研究院"],
    "学校": ["南京市第一中学", "南京外国语学校", "金陵中学", "无锡市第一中学"],
}
SECTOR_OF = {
    "大学": "university",
    "研究所": "research_institute",
    "企业": "enterprise",
    "医院": "medical",
    "农技站": "agriculture",
    "设计院": "enterprise",
    "学校": "education",
}
TITLES = [
    ("教授", "senior"),
    ("研究员", "senior"),
    ("正高级工程师", "senior"),
    ("主任医师", "senior"),
    ("副教授", "vice_senior"),
    ("副研究员", "vice_senior"),
    ("高级工程师", "vice_senior"),
    ("副主任医师", "vice_senior"),
    ("讲师", "intermediate"),
    ("工程师", "intermediate"),
    ("主治医师", "intermediate"),
    ("助理工程师", "junior"),
    ("农艺师", "intermediate"),
    ("", "none"),
]
SUMMARY = [
    "长期从事{a}与{b}研究，在{c}方面取得系列成果。",
    "主要研究方向为{a}、{b}，主持完成{c}相关项目多项。",
    "围绕{a}开展应用研究，重点解决{b}中的关键技术问题，推动{c}成果转化。",
    "从事{a}工作二十余年，熟悉{b}和{c}，多次参与行业标准制定。",
    "在{a}领域发表论文{n}篇，获得{b}相关发明专利{m}项。",
]
ACHIEVEMENT = ["基于{a}的{b}方法研究", "{a}关键技术及应用", "{a}与{b}集成示范", "一种{a}装置", "{a}技术规范"]
ENGLISH = ["Research interests include {x} and {y}.", "Work on {x}, {y} and applications.", "Projects in {x} {y}."]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力国鹏宇浩凯晨子涵欣怡梓轩雨博思远嘉琪佳俊晓志海波斌成荣新宁春东雪丹峰云飞"

QUERIES = {
    "zh_1char": list("光药钢水电桥稻核肿菌码碳"),
    "zh_2char": ["光学", "材料", "育种", "算法", "肿瘤", "桥梁", "电网", "疫苗", "污水", "针灸", "机器", "催化"],
    "zh_4char": [
        "光学成像",
        "深度学习",
        "水稻育种",
        "桥梁工程",
        "智能电网",
        "基因编辑",
        "药物合成",
        "污水处理",
        "结构抗震",
        "知识图谱",
        "锂电池组",
        "针灸推拿",
    ],
    "english": [
        "optics",
        "deep learning",
        "rice breeding",
        "graphene",
        "bridge",
        "vaccine",
        "wastewater",
        "robotics",
        "photovoltaic",
        "genomics",
        "statistics",
        "acupuncture",
    ],
}


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "runs": len(ordered)}


# ---- generating the data ------------------------------------------------------------------------


def _pinyin_table() -> dict[str, str]:
    from pypinyin import lazy_pinyin

    return {c: lazy_pinyin(c)[0] for c in set(SURNAMES + GIVEN)}


def _profiles(n: int, rng: random.Random, orgs: list[tuple[int, str]], societies: list[int], codes: dict[str, list[str]]):
    """Yield (person row, [org ids], [discipline codes], achievement title) for n people."""
    py = _pinyin_table()
    fields = list(FIELDS)
    weights = [rng.uniform(0.5, 2.0) for _ in fields]
    this_year = 2026
    for _ in range(n):
        f = rng.choices(fields, weights)[0]
        code1, terms, english, kinds = FIELDS[f]
        kind = rng.choice(kinds.split())
        employer = rng.choice(EMPLOYERS[kind])
        picked = rng.sample(terms, rng.randint(2, 4))
        a, b, c = rng.sample(terms, 3)
        summary = rng.choice(SUMMARY).format(a=a, b=b, c=c, n=rng.randint(5, 80), m=rng.randint(1, 20))
        if rng.random() < 0.25:
            x, y = rng.sample(english, 2)
            summary += " " + rng.choice(ENGLISH).format(x=x, y=y)
        if rng.random() < 0.2:  # some profiles borrow a term from another field
            summary += f"兼顾{rng.choice(FIELDS[rng.choice(fields)][1])}。"
        achievement = rng.choice(ACHIEVEMENT).format(a=rng.choice(picked), b=rng.choice(terms))
        surname = rng.choice(SURNAMES[:-2]) if rng.random() > 0.01 else "欧阳"
        name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        title, level = rng.choice(TITLES)
        org_id, region = rng.choice(orgs)
        listed = [org_id] + ([rng.choice(societies)] if rng.random() < 0.2 and societies else [])
        pool = codes.get(code1) or [code1]
        discs = list(dict.fromkeys(rng.choice(pool) for _ in range(rng.randint(1, 2))))
        birth = f"{this_year - rng.randint(24, 75)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        row = (
            name,
            " ".join(py[ch] for ch in name),
            rng.choice("MF"),
            birth,
            region,
            employer,
            SECTOR_OF[kind],
            rng.random() < 0.3,
            title,
            level,
            "、".join(picked),
            summary,
        )
        yield row, listed, discs, achievement


def build_database(n: int, rng: random.Random) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from kejia.demo import seeding as demo
    from kejia.organizations.models import Organization
    from kejia.people.resolution import block_key_of
    from kejia.reference.models import Discipline

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        demo.build_tree(seed=SEED, orgs=2000)
    orgs = [
        (pk, region)
        for pk, region, kind in Organization.objects.values_list("pk", "region_id", "kind")
        if region and kind in ("county_assoc", "township_assoc", "municipal_assoc", "enterprise_assoc", "university_assoc", "park_assoc")
    ]
    if not orgs:
        orgs = list(Organization.objects.exclude(region=None).values_list("pk", "region_id"))
    societies = list(Organization.objects.filter(kind__in=["provincial_society", "municipal_society"]).values_list("pk", flat=True))
    codes: dict[str, list[str]] = {}
    for code in Discipline.objects.filter(level=2).values_list("code", flat=True):
        codes.setdefault(code[:3], []).append(code)
    # The format Django itself stores on SQLite (UTC, no offset), so date comparisons work.
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    person_sql = (
        "INSERT INTO people_person (id, name, name_pinyin, gender, birth_date, region_id, employer_name, sector, is_frontline, title, title_level,"
        " expertise, research_summary, id_sealed, id_hash, id_masked, phone_sealed, phone_hash, phone_masked, email, employer_uscc, education,"
        " overseas_status, three_chiefs, programmes, consent_source, status, block_key, created_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', '', '', '', '', '', '', '', 'none', 'none', '[]', '', 'active', %s, %s, %s)"
    )
    listing_sql = "INSERT INTO people_listing (person_id, organization_id, role, note, created_at, updated_at) VALUES (%s, %s, 'member', '', %s, %s)"
    disc_sql = "INSERT INTO people_person_disciplines (person_id, discipline_id) VALUES (%s, %s)"
    ach_sql = "INSERT INTO people_achievement (person_id, kind, title, detail, created_at, updated_at) VALUES (%s, 'project', %s, '', %s, %s)"
    started = time.perf_counter()
    batch: dict[str, list] = {"p": [], "l": [], "d": [], "a": []}

    def flush():
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(person_sql, batch["p"])
            cur.executemany(listing_sql, batch["l"])
            cur.executemany(disc_sql, batch["d"])
            cur.executemany(ach_sql, batch["a"])
        for v in batch.values():
            v.clear()

    for pk, (row, listed, discs, achievement) in enumerate(_profiles(n, rng, orgs, societies, codes), 1):
        batch["p"].append((pk, *row, block_key_of(row[1], row[3]), now, now))
        batch["l"] += [(pk, o, now, now) for o in listed]
        batch["d"] += [(pk, d) for d in discs]
        batch["a"].append((pk, achievement, now, now))
        if pk % 20000 == 0:
            flush()
            if pk % 100000 == 0:
                log(f"  {pk} profiles written, {time.perf_counter() - started:.0f}s")
    flush()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"people": n, "organizations": Organization.objects.count(), "seconds": round(time.perf_counter() - started, 1)}


# ---- the comparison tables ----------------------------------------------------------------------


class CompareSink:
    """Receives the analysed batches of the rebuild: the same jieba tokens go into an FTS5 table
    (words, plus the character set for 1-character queries, as in the index)."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("DROP TABLE IF EXISTS fts")
        self.db.execute("CREATE VIRTUAL TABLE fts USING fts5(words, chars, tokenize='unicode61')")
        self.seconds = 0.0

    def __call__(self, docs) -> None:
        t = time.perf_counter()
        rows = [
            (d["id"], " ".join(d.get(f, "") for f in ("name", "expertise", "disciplines", "achievements", "summary", "employer")), d["chars"]) for d in docs
        ]
        self.db.executemany("INSERT INTO fts (rowid, words, chars) VALUES (?, ?, ?)", rows)
        self.seconds += time.perf_counter() - t

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def build_like_table(path: Path) -> None:
    """The raw text of each profile (what a LIKE search scans), copied from the Django database."""
    from django.db import connection

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE IF NOT EXISTS people_text (id INTEGER PRIMARY KEY, text TEXT)")
    db.execute("DELETE FROM people_text")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT p.id, p.name || ' ' || p.expertise || ' ' || p.research_summary || ' ' || p.employer_name || ' ' ||"
            " COALESCE((SELECT group_concat(title, ' ') FROM people_achievement a WHERE a.person_id = p.id), '')"
            " FROM people_person p"
        )
        while rows := cur.fetchmany(50000):
            db.executemany("INSERT INTO people_text VALUES (?, ?)", rows)
    db.commit()
    db.close()


def measure_jieba(n: int, rng: random.Random) -> dict:
    """jieba alone, one core: search-mode segmentation of the texts of n profiles."""
    import jieba

    from kejia.people.models import Person

    texts = list(Person.objects.order_by("?")[:n].values_list("expertise", "research_summary"))
    jieba.initialize()
    started = time.perf_counter()
    for expertise, summary in texts:
        list(jieba.cut_for_search(expertise))
        list(jieba.cut_for_search(summary))
    seconds = time.perf_counter() - started
    return {"profiles": n, "texts_per_second_one_core": round(2 * n / seconds), "profiles_per_second_one_core": round(n / seconds)}


# ---- measuring ----------------------------------------------------------------------------------


def measure(args, rng: random.Random, state: dict) -> dict:
    from django.contrib.auth import get_user_model

    from kejia.accounts.models import Role
    from kejia.organizations.models import Organization
    from kejia.search.indexing import get_backend
    from kejia.search.services import ExpertFilters, find_experts
    from kejia.search.text import parse_query

    User = get_user_model()
    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"is_superuser": True, "is_staff": True})
    users = {}
    for label, region, kind in (("county", "320102", "county_assoc"), ("city", "320100", "municipal_assoc")):
        org = Organization.objects.filter(region_id=region, kind=kind).first()
        user, _ = User.objects.get_or_create(username=f"bench_{label}")
        Role.objects.get_or_create(user=user, organization=org, kind="staff")
        users[label] = (user, org)
    backend = get_backend()
    filters = ExpertFilters(sector=["university", "research_institute"], age_min=30, age_max=55, region="320100")
    variants = {
        "platform_no_filter": (admin, None),
        "platform_filters": (admin, filters),
        "county_scope": (users["county"][0], None),
        "city_scope_filters": (users["city"][0], ExpertFilters(age_min=30, age_max=55, frontline=True)),
    }
    compare = sqlite3.connect(args.dir / "compare.sqlite3")
    out: dict = {"scope": {k: {"organization": v[1].name, "people_in_scope": None} for k, v in users.items()}, "classes": {}}
    for label, (user, _org) in users.items():
        out["scope"][label]["people_in_scope"] = find_experts(user, text="", limit=1).total
    for cls, queries in QUERIES.items():
        block: dict = {"queries": queries}
        for name, (user, f) in variants.items():
            find_experts(user, text=queries[0], filters=f)  # warm-up
            samples, totals = [], []
            for i in range(args.reps):
                q = queries[i % len(queries)]
                t = time.perf_counter()
                found = find_experts(user, text=q, filters=f, limit=10)
                samples.append(time.perf_counter() - t)
                totals.append(found.total)
            block[name] = {**_stats(samples), "median_matches": int(statistics.median(totals))}
        samples = []
        for i in range(args.reps):
            words = parse_query(queries[i % len(queries)])
            t = time.perf_counter()
            backend.search(words, limit=10, count=False)
            samples.append(time.perf_counter() - t)
        block["engine_only_no_count"] = _stats(samples)
        # Bare FTS5, the same tokens: every query word required, 1-character words on the chars column.
        samples = []
        for i in range(args.reps):
            words = parse_query(queries[i % len(queries)])
            match = " AND ".join(f'chars:"{w.text}"' if len(w.text) == 1 and w.chars else f'words:"{w.text}"' for w in words)
            t = time.perf_counter()
            compare.execute("SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()
            samples.append(time.perf_counter() - t)
        block["sqlite_fts5_rank_top10"] = _stats(samples)
        # LIKE: no ranking is possible without reading every match, so the scan reads them all.
        samples, counts = [], []
        for q in queries[: args.like_reps]:
            t = time.perf_counter()
            rows = compare.execute("SELECT id FROM people_text WHERE text LIKE ?", (f"%{q}%",)).fetchall()
            samples.append(time.perf_counter() - t)
            counts.append(len(rows))
        block["sqlite_like_scan_all_matches"] = {**_stats(samples), "median_matches": int(statistics.median(counts))}
        out["classes"][cls] = block
        log(
            f"  {cls}: service p50 {block['platform_no_filter']['p50_ms']} ms, FTS5 p50 {block['sqlite_fts5_rank_top10']['p50_ms']} ms,"
            f" LIKE p50 {block['sqlite_like_scan_all_matches']['p50_ms']} ms"
        )
    compare.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=48)
    parser.add_argument("--like-reps", type=int, default=4)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kejia-bench-search"))
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data and the index")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    marker = args.dir / "built.json"
    if args.rebuild:
        for name in ("kejia.sqlite3", "kejia.sqlite3-wal", "kejia.sqlite3-shm", "compare.sqlite3", "built.json"):
            (args.dir / name).unlink(missing_ok=True)
    built = json.loads(marker.read_text()) if marker.exists() else None
    if built and built.get("people") != args.people:
        sys.exit(f"{args.dir} holds {built.get('people')} people: pass --rebuild (or another --dir)")

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kejia.settings.base",
            "ALLOW_DEVELOPMENT_KEYS": "true",
            "KEJIA_VAR_DIR": str(args.dir),
            "LOG_LEVEL": "ERROR",
            "TASK_BACKEND": "immediate",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.SEARCH_INDEX_DIR = args.dir / "search"
    from kejia.search.indexing import rebuild_index

    rng = random.Random(SEED)
    started = time.perf_counter()
    if not built:
        log(f"Generating {args.people} profiles into {args.dir / 'kejia.sqlite3'} …")
        data = build_database(args.people, rng)
        log(f"  done in {data['seconds']}s. Building the LIKE table …")
        t = time.perf_counter()
        build_like_table(args.dir / "compare.sqlite3")
        like_seconds = round(time.perf_counter() - t, 1)
        log("Rebuilding the search index (2 segmentation processes, one writer) and the FTS5 table …")
        sink = CompareSink(args.dir / "compare.sqlite3")
        last = [0.0]

        def progress(done, seconds):
            if seconds - last[0] > 10:
                last[0] = seconds
                log(f"  {done} indexed, {seconds:.0f}s, {done / seconds:.0f}/s")

        index = rebuild_index(progress=progress, processes=os.cpu_count(), sink=sink)
        sink.close()
        # The FTS5 inserts ran in the writer's process, between index batches: their time is
        # taken out of the indexing rate.
        index_seconds = index["seconds"] - sink.seconds
        index["fts5_insert_seconds"] = round(sink.seconds, 1)
        index["index_seconds_without_fts5"] = round(index_seconds, 1)
        index["index_per_second_without_fts5"] = round(index["documents"] / index_seconds)
        built = {
            "people": args.people,
            "data": data,
            "like_table_seconds": like_seconds,
            "index": index,
            "index_size_mb": round(sum(p.stat().st_size for p in (args.dir / "search").rglob("*") if p.is_file()) / 1e6, 1),
        }
        marker.write_text(json.dumps(built))
    log("jieba alone …")
    jieba_rate = measure_jieba(min(20000, args.people), rng)
    log("Measuring queries …")
    results = measure(args, rng, built)
    print(
        json.dumps(
            {
                "benchmark": "expert search: tantivy through the service vs SQLite LIKE and FTS5",
                "people": args.people,
                "reps": args.reps,
                "seed": SEED,
                "machine": machine(),
                "build": built,
                "jieba_alone": jieba_rate,
                "results": results,
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
