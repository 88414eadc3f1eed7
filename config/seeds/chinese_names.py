"""The Chinese names of the seed's records: widely published names (official site names and
registered company names) that the reports themselves do not state, so they cite a reference list
of their own (config/sources/chinese-names.md), never a report."""

from config.seeds.facts import ChineseName, SourceFacts

SOURCE = SourceFacts(
    title="Reference list of Chinese names",
    author="",
    kind="other",
    file="config/sources/chinese-names.md",
    notes=(
        "Widely published names (official site names and registered company names) of the seed's records, "
        "not stated by the news reports."
    ),
)

NAMES = (
    ChineseName(
        "expo",
        "China International Import Expo",
        "中国国际进口博览会（进博会）",
        "Zhōngguó Guójì Jìnkǒu Bólǎnhuì (Jìnbóhuì)",
    ),
    ChineseName("edition", "6th China International Import Expo", "第六届中国国际进口博览会", "Dì-liù Jiè"),
    ChineseName(
        "venue",
        "National Exhibition and Convention Center (Shanghai)",
        "国家会展中心（上海）",
        "Guójiā Huìzhǎn Zhōngxīn (Shànghǎi)",
    ),
    ChineseName("delegation", "Shanghai trading delegation", "上海交易团", "Shànghǎi Jiāoyì Tuán"),
    ChineseName("delegation", "Qingpu District trading delegation", "青浦区交易分团", "Qīngpǔ Qū Jiāoyì Fēntuán"),
    ChineseName("delegation", "Minhang District trading delegation", "闵行区交易分团", "Mǐnháng Qū Jiāoyì Fēntuán"),
    ChineseName("enterprise", "Qingpu District", "青浦区", "Qīngpǔ Qū"),
    ChineseName(
        "enterprise",
        "ZKH Industrial Supply Co",
        "震坤行工业超市（上海）有限公司",
        "Zhènkūnxíng",
        aliases=("震坤行",),
    ),
    ChineseName("enterprise", "Dow", "陶氏", "Táoshì"),
    ChineseName("category", "Organo-silicon products", "有机硅产品", "yǒujīguī"),
)
