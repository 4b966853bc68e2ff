# The corpus panel (panel.csv in this directory), exec'd by make_corpus.py: the shipped 20
# experts of surveys/ai-safety-cooperation.panel.csv, then fictional E21…E140 (every third
# one Chinese-speaking), so that every case or multi-message scenario has an expert of its
# own and the whole corpus can go into one store in one run. `expert(lang)` hands out the
# next unused one; a case may give it the address its mail client would have.

EN_FIRST = ["Nora", "Felix", "Ingrid", "Marcus", "Aisha", "Tobias", "Leah", "Owen", "Sofia", "Dmitri",
            "Hannah", "Rafael", "Yuki", "Elliot", "Clara", "Samuel", "Maya", "Jonas", "Beatrice", "Kwame",
            "Isla", "Mateo", "Freya", "Arjun", "Lena", "Victor", "Ruth", "Emil", "Zara", "Hugo",
            "Amara", "Theo", "Gemma", "Nikhil", "Esme", "Quentin", "Ada", "Lars", "Mira", "Simon",
            "Talia", "Bruno", "Iris", "Caleb", "Olga", "Pavel", "Rosa", "Dev", "Wren", "Anders",
            "Keira", "Milo", "Sana", "Rhys", "Petra", "Idris", "Vera", "Cormac", "Lucia", "Jasper",
            "Noor", "Tomasz", "Elin", "Ravi", "Selma", "Gideon", "Ayla", "Bram", "Celeste", "Dario",
            "Edith", "Fintan", "Gwen", "Hamid", "Ilse", "Joaquin", "Kaia", "Leopold", "Marit", "Nils"]
EN_LAST = ["Quillfeather", "Draftsworth", "Exampleton", "Mockridge", "Stubfield", "Fakenham", "Pretendo",
           "Lorembury", "Ipsumson", "Sampleby", "Dummond", "Fictionby", "Specimore", "Testwell", "Proxley",
           "Templeworth", "Placemore", "Surrogate", "Standish-Inn", "Notaperson", "Imaginary", "Madeupson",
           "Hypothet", "Illustra", "Paradigm", "Modelle", "Stand-In", "Archetyp", "Prototyne", "Mockingham",
           "Schemata", "Outlineson", "Sketchley", "Roughdraft", "Facsimile", "Replicant", "Doppler-Faux",
           "Pseudonym", "Nominal", "Tokenby", "Filler", "Blankwell", "Voidson", "Nullham", "Zeroth",
           "Emptyfield", "Vacantia", "Hollowby", "Ghostley", "Phantomer", "Shadowmere", "Echoes",
           "Mirage", "Chimera", "Figment", "Fancyfree", "Dreamwell", "Reverie", "Whimsey", "Caprice",
           "Notional", "Conjecture", "Supposit", "Positor", "Theorist", "Abstracta", "Ideale", "Conceptor",
           "Imagino", "Fabulon", "Storyton", "Taleford", "Yarnwick", "Legendre-Faux", "Mythos", "Fablewood",
           "Novella", "Parable", "Allegor", "Anecdota"]
ZH_SUR = [("Zhou", "周"), ("Wu", "吴"), ("Xu", "徐"), ("Sun", "孙"), ("Ma", "马"), ("Zhu", "朱"), ("Hu", "胡"),
          ("Guo", "郭"), ("He", "何"), ("Gao", "高"), ("Lin", "林"), ("Luo", "罗"), ("Zheng", "郑"), ("Liang", "梁"),
          ("Xie", "谢"), ("Song", "宋"), ("Tang", "唐"), ("Han", "韩"), ("Feng", "冯"), ("Deng", "邓"), ("Cao", "曹"),
          ("Peng", "彭"), ("Zeng", "曾"), ("Xiao", "肖"), ("Tian", "田"), ("Dong", "董"), ("Yuan", "袁"), ("Pan", "潘"),
          ("Yu", "于"), ("Jiang", "蒋"), ("Cai", "蔡"), ("Jia", "贾"), ("Ding", "丁"), ("Wei", "魏"), ("Xue", "薛"),
          ("Ye", "叶"), ("Yan", "阎"), ("Du", "杜"), ("Fu", "傅"), ("Shen", "沈")]
ZH_GIVEN = [("Yiran", "一然"), ("Haoyu", "浩宇"), ("Xinyi", "欣怡"), ("Zihan", "子涵"), ("Junjie", "俊杰"),
            ("Yuxuan", "雨萱"), ("Mingze", "明泽"), ("Shuang", "爽"), ("Tianyu", "天宇"), ("Jiayi", "佳怡"),
            ("Wenbo", "文博"), ("Ruoxi", "若曦"), ("Zhiyuan", "志远"), ("Meiling", "美玲"), ("Chenxi", "晨曦"),
            ("Kaiwen", "凯文"), ("Lanlan", "兰兰"), ("Hongwei", "宏伟"), ("Siqi", "思琪"), ("Zhen", "震"),
            ("Yuting", "雨婷"), ("Bowen", "博文"), ("Xiaoling", "晓玲"), ("Guoqiang", "国强"), ("Lina", "丽娜"),
            ("Peng", "鹏"), ("Jingwen", "静雯"), ("Ziyang", "子阳"), ("Anqi", "安琪"), ("Weidong", "卫东"),
            ("Yun", "云"), ("Haoran", "浩然"), ("Xue", "雪"), ("Lei", "磊"), ("Qian", "倩"), ("Jun", "军"),
            ("Hui", "慧"), ("Bin", "斌"), ("Fang", "芳"), ("Tao", "涛")]
EN_PLACES = [("Northbridge Institute for AI Policy", "US", "US"), ("Harbourview University, Centre for AI Risk", "GB", "Europe"),
             ("Lakeshore Polytechnic, Trust & Safety Lab", "US", "US"), ("Alpenrand Institute for Computing", "CH", "Europe"),
             ("Baltic Centre for Digital Security", "EE", "Europe"), ("Maple Ridge Institute of Technology", "CA", "Other"),
             ("Southern Cross AI Observatory", "AU", "Other"), ("Rhine-Meuse Centre for Trustworthy Computing", "DE", "Europe")]
ZH_PLACES = [("Xinghe Institute for AI Safety Research", "CN", "China"), ("Lanting Center for Intelligent Systems Governance", "CN", "China"),
             ("Eastern Lake University, School of Computing", "CN", "China"), ("Straits Institute for Digital Security", "SG", "Other")]
EXPERTISE = ["verification", "evaluations", "governance", "security", "standards", "hardware", "policy", "infrastructure"]
DOMAINS_EN = ["example.net", "example.com", "uni.example.edu", "example.org"]

POOL = {}  # id -> dict(name, email, lang, hanzi, institution, country, bloc, expertise)
_en = _zh = 0
for n in range(21, 141):
    eid = f"E{n}"
    if n % 3 == 0:
        sur, given = ZH_SUR[_zh % len(ZH_SUR)], ZH_GIVEN[_zh % len(ZH_GIVEN)]
        inst = ZH_PLACES[_zh % len(ZH_PLACES)]
        POOL[eid] = dict(name=f"{sur[0]} {given[0]}", hanzi=sur[1] + given[1], lang="zh",
                         email=f"{given[0].lower()}.{sur[0].lower()}@cn.example.org", place=inst,
                         expertise=EXPERTISE[_zh % len(EXPERTISE)])
        _zh += 1
    else:
        inst = EN_PLACES[_en % len(EN_PLACES)]
        first, last = EN_FIRST[_en], EN_LAST[_en]
        POOL[eid] = dict(name=f"{first} {last}", hanzi=None, lang="en",
                         email=f"{first.lower()}.{last.lower().replace('-', '')}@{DOMAINS_EN[_en % len(DOMAINS_EN)]}", place=inst,
                         expertise=EXPERTISE[(_en + 3) % len(EXPERTISE)])
        _en += 1
    PANEL[eid] = (POOL[eid]["name"], POOL[eid]["email"])
USED = set()


def expert(lang, email=None):
    """The next expert of the corpus panel not yet in a case, speaking `lang`."""
    for eid, p in POOL.items():
        if eid not in USED and p["lang"] == lang:
            USED.add(eid)
            if email:
                p["email"] = email
                PANEL[eid] = (p["name"], email)
            return eid
    raise SystemExit(f"the corpus panel has no {lang} expert left")


def hanzi(e):
    return POOL[e]["hanzi"] if e in POOL else name(e)


def first_name(e):
    return name(e).split()[0] if POOL.get(e, {}).get("lang") != "zh" else hanzi(e)


def csv_field(v):
    return f'"{v}"' if "," in v else v


def write_panel():
    lines = open(os.path.join(HERE, "../../../surveys/ai-safety-cooperation.panel.csv"), encoding="utf-8").read().rstrip("\n").split("\n")
    for eid, p in POOL.items():
        inst, country, bloc = p["place"]
        lines.append(",".join([eid, p["name"], p["email"], csv_field(inst), country, bloc, p["lang"], p["expertise"]]))
    emails = [l.split(",")[2] for l in lines[1:]]
    assert len(set(e.lower() for e in emails)) == len(emails), "unique addresses"
    with open(os.path.join(HERE, "panel.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
