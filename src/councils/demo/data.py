"""The tables of the Petrograd 1917 demonstration: factions, councils, constituencies, names.

The figures are illustrative, not historical: the sizes of the factories and regiments, the
number of deputies and the share of each faction are chosen to show how recalls, by-elections,
re-elections and changes of faction move the majority of a council, as they moved the soviets of
the two capital cities from a Menshevik–SR majority in March 1917 to a Bolshevik one by the middle
of September ("having obtained a majority in the soviets of the two capital cities").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ORGANIZATION_SLUG = "soviets-1917"
ORGANIZATION_NAME = "Soviets of Workers' and Soldiers' Deputies, 1917"
ORGANIZATION_DESCRIPTION = (
    "A demonstration of Councils: the soviets of Petrograd, Moscow and Kronstadt and the "
    "All-Russian Congress of Soviets, from the elections of March 1917 to the Second Congress in "
    "October. The figures are illustrative."
)

DEMO_PASSWORD = "councils1917"
ORGANIZER_USERNAME = "organizer"
WORKER_USERNAME = "worker"
SOLDIER_USERNAME = "soldier"


@dataclass(frozen=True)
class FactionRow:
    key: str
    name: str
    short_name: str
    colour: str
    position: int  # left to right in the hemicycle


BOLSHEVIKS = "bolsheviks"
LEFT_SRS = "left-srs"
SRS = "srs"
MENSHEVIKS = "mensheviks"
OTHERS = "others"

FACTIONS: tuple[FactionRow, ...] = (
    FactionRow(BOLSHEVIKS, "Bolsheviks", "Bolsheviks", "#c0392b", 0),
    FactionRow(LEFT_SRS, "Left Socialist Revolutionaries", "Left SRs", "#e67e22", 1),
    FactionRow(SRS, "Socialist Revolutionaries", "SRs", "#2e8b57", 2),
    FactionRow(MENSHEVIKS, "Mensheviks", "Mensheviks", "#2c6fbb", 3),
    FactionRow(OTHERS, "Others and non-party", "Others", "#7f8c8d", 4),
)

WORKERS = "workers"
SOLDIERS = "soldiers"

# The "revolutionary defencists": the Mensheviks and the SRs led the soviets together from March,
# until the Bolsheviks took the capitals' soviets and the Second Congress.
MENSHEVIK_SR_BLOC = "Menshevik–SR bloc"
MENSHEVIK_SR_BLOC_FACTIONS = (MENSHEVIKS, SRS)


@dataclass(frozen=True)
class ConstituencyRow:
    slug: str
    name: str
    section: str
    members: int


@dataclass(frozen=True)
class CouncilRow:
    slug: str
    name: str
    members_per_seat: int
    constituencies: tuple[ConstituencyRow, ...]
    # Shares of the deputies elected in March, by section (the soldiers voted SR above all).
    march: dict[str, dict[str, float]]
    # Shares of the deputies chosen when a factory or regiment re-elects its deputies (in August
    # and September; in May at Kronstadt).
    reelection: dict[str, dict[str, float]]
    # By this date the Bolsheviks hold more than half of the council's filled seats.
    majority_by: date | None


CONGRESS_SLUG = "congress"
CONGRESS_NAME = "All-Russian Congress of Soviets"
CONGRESS_SEATS = 60

PETROGRAD = CouncilRow(
    slug="petrograd",
    name="Petrograd Soviet",
    members_per_seat=20,
    constituencies=(
        ConstituencyRow("putilov-works", "Putilov Works", WORKERS, 180),
        ConstituencyRow("obukhov-works", "Obukhov Works", WORKERS, 120),
        ConstituencyRow("baltic-shipyard", "Baltic Shipyard", WORKERS, 110),
        ConstituencyRow("treugolnik-rubber", "Treugolnik Rubber Works", WORKERS, 100),
        ConstituencyRow("vyborg-mills", "Vyborg Side Cotton Mills", WORKERS, 90),
        ConstituencyRow("petrograd-metal", "Petrograd Metal Works", WORKERS, 80),
        ConstituencyRow("nevsky-thread", "Nevsky Thread Mill", WORKERS, 70),
        ConstituencyRow("erikson-works", "Erikson Telephone Works", WORKERS, 60),
        ConstituencyRow("lessner-works", "Lessner Works", WORKERS, 60),
        ConstituencyRow("pavlovsky-regiment", "Pavlovsky Regiment", SOLDIERS, 90),
        ConstituencyRow("volynsky-regiment", "Volynsky Regiment", SOLDIERS, 90),
        ConstituencyRow("preobrazhensky-regiment", "Preobrazhensky Regiment", SOLDIERS, 90),
        ConstituencyRow("izmailovsky-regiment", "Izmailovsky Regiment", SOLDIERS, 80),
        ConstituencyRow("semyonovsky-regiment", "Semyonovsky Regiment", SOLDIERS, 80),
        ConstituencyRow("finland-regiment", "Finland Regiment", SOLDIERS, 70),
        ConstituencyRow("kexholm-regiment", "Kexholm Regiment", SOLDIERS, 60),
    ),
    march={
        WORKERS: {MENSHEVIKS: 0.38, SRS: 0.24, BOLSHEVIKS: 0.22, OTHERS: 0.16},
        SOLDIERS: {SRS: 0.55, MENSHEVIKS: 0.15, BOLSHEVIKS: 0.08, OTHERS: 0.22},
    },
    reelection={
        WORKERS: {BOLSHEVIKS: 0.75, MENSHEVIKS: 0.1, LEFT_SRS: 0.15},
        SOLDIERS: {BOLSHEVIKS: 0.6, LEFT_SRS: 0.3, SRS: 0.1},
    },
    majority_by=date(1917, 9, 9),
)

MOSCOW = CouncilRow(
    slug="moscow",
    name="Moscow Soviet",
    members_per_seat=20,
    constituencies=(
        ConstituencyRow("prokhorov-textile", "Prokhorov Trekhgornaya Textile Mill", WORKERS, 150),
        ConstituencyRow("guzhon-works", "Guzhon Metal Works", WORKERS, 100),
        ConstituencyRow("michelson-works", "Michelson Works", WORKERS, 100),
        ConstituencyRow("amo-works", "AMO Motor Works", WORKERS, 80),
        ConstituencyRow("tsindel-textile", "Tsindel Textile Mill", WORKERS, 70),
        ConstituencyRow("dynamo-works", "Dynamo Works", WORKERS, 70),
        ConstituencyRow("bromley-works", "Bromley Brothers Works", WORKERS, 60),
        ConstituencyRow("56th-reserve-regiment", "56th Reserve Regiment", SOLDIERS, 100),
        ConstituencyRow("55th-reserve-regiment", "55th Reserve Regiment", SOLDIERS, 80),
        ConstituencyRow("193rd-reserve-regiment", "193rd Reserve Regiment", SOLDIERS, 70),
        ConstituencyRow("moscow-artillery", "Moscow Garrison Artillery", SOLDIERS, 60),
        ConstituencyRow("85th-reserve-regiment", "85th Reserve Regiment", SOLDIERS, 60),
    ),
    march={
        WORKERS: {MENSHEVIKS: 0.42, SRS: 0.2, BOLSHEVIKS: 0.22, OTHERS: 0.16},
        SOLDIERS: {SRS: 0.55, MENSHEVIKS: 0.2, BOLSHEVIKS: 0.05, OTHERS: 0.2},
    },
    reelection={
        WORKERS: {BOLSHEVIKS: 0.75, MENSHEVIKS: 0.1, LEFT_SRS: 0.15},
        SOLDIERS: {BOLSHEVIKS: 0.6, LEFT_SRS: 0.25, SRS: 0.15},
    },
    majority_by=date(1917, 9, 18),
)

# A smaller soviet under the Congress: the naval base, radical early, re-elected in May.
KRONSTADT = CouncilRow(
    slug="kronstadt",
    name="Kronstadt Soviet",
    members_per_seat=20,
    constituencies=(
        ConstituencyRow("kronstadt-steamship-works", "Kronstadt Steamship Works", WORKERS, 80),
        ConstituencyRow("kronstadt-docks", "Kronstadt Naval Docks", WORKERS, 60),
        ConstituencyRow("first-baltic-crew", "First Baltic Fleet Crew", SOLDIERS, 90),
        ConstituencyRow("kronstadt-fortress-artillery", "Kronstadt Fortress Artillery", SOLDIERS, 70),
    ),
    march={
        WORKERS: {BOLSHEVIKS: 0.3, MENSHEVIKS: 0.3, SRS: 0.2, OTHERS: 0.2},
        SOLDIERS: {SRS: 0.4, BOLSHEVIKS: 0.3, OTHERS: 0.3},
    },
    # Re-elected in May, before the Left SRs parted from the SRs.
    reelection={
        WORKERS: {BOLSHEVIKS: 0.65, SRS: 0.2, MENSHEVIKS: 0.15},
        SOLDIERS: {BOLSHEVIKS: 0.6, SRS: 0.3, OTHERS: 0.1},
    },
    majority_by=None,
)

CITY_SOVIETS: tuple[CouncilRow, ...] = (PETROGRAD, MOSCOW, KRONSTADT)

# The worker's and the soldier's demonstration accounts: where they are members.
WORKER_CONSTITUENCY = "putilov-works"
SOLDIER_CONSTITUENCY = "volynsky-regiment"
# Constituencies that keep their March deputies through the autumn (re-elections pass them by),
# so the worker finds a Menshevik or SR deputy to petition against.
KEPT = frozenset({WORKER_CONSTITUENCY})


@dataclass(frozen=True)
class Dates:
    """The dates of the demonstration's history (New Style, as the seed gives them)."""

    founded: date = date(1917, 3, 10)
    march_elections: date = date(1917, 3, 15)
    kronstadt_reelections: date = date(1917, 5, 20)
    first_congress: date = date(1917, 6, 16)
    recalls_from: date = date(1917, 8, 6)
    petrograd_reelections: date = date(1917, 9, 1)
    moscow_reelections: date = date(1917, 9, 9)
    left_sr_split: date = date(1917, 9, 25)
    second_congress: date = date(1917, 10, 25)
    # The Menshevik–SR bloc: formed when the March elections were declared, ended as the Second
    # Congress opened (early that morning, before its delegates are elected).
    bloc_formed: date = date(1917, 3, 16)


DATES = Dates()

# Given names and surnames combined deterministically into the members' names.
GIVEN_NAMES_MEN: tuple[str, ...] = (
    "Aleksandr", "Aleksei", "Andrei", "Anton", "Boris", "Vasily", "Viktor", "Vladimir", "Grigory",
    "Dmitry", "Yegor", "Ivan", "Ilya", "Kirill", "Konstantin", "Leonid", "Matvei", "Mikhail",
    "Nikolai", "Nikita", "Pavel", "Pyotr", "Semyon", "Sergei", "Stepan", "Timofei", "Fyodor",
    "Yakov", "Yefim", "Osip", "Lev", "Gavriil", "Filipp", "Arkady", "Savely", "Trofim",
)  # fmt: skip
GIVEN_NAMES_WOMEN: tuple[str, ...] = (
    "Aleksandra", "Anna", "Vera", "Galina", "Darya", "Yevdokia", "Yekaterina", "Zinaida", "Klavdia",
    "Lyudmila", "Maria", "Nadezhda", "Natalya", "Olga", "Praskovya", "Sofia", "Tatyana", "Fyokla",
)  # fmt: skip
SURNAMES: tuple[str, ...] = (
    "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasilyev", "Petrov", "Sokolov", "Mikhailov",
    "Novikov", "Fyodorov", "Morozov", "Volkov", "Alekseyev", "Lebedev", "Semyonov", "Yegorov",
    "Pavlov", "Kozlov", "Stepanov", "Nikolayev", "Orlov", "Andreyev", "Makarov", "Nikitin",
    "Zakharov", "Zaitsev", "Solovyov", "Borisov", "Yakovlev", "Grigoryev", "Romanov", "Vorobyov",
    "Sergeyev", "Frolov", "Aleksandrov", "Dmitriyev", "Korolev", "Gusev", "Kiselyov", "Ilyin",
    "Maksimov", "Polyakov", "Sorokin", "Vinogradov", "Kovalyov", "Belov", "Medvedev", "Antonov",
    "Tarasov", "Zhukov", "Baranov", "Filippov", "Komarov", "Davydov", "Belyayev", "Gerasimov",
    "Bogdanov", "Osipov", "Sidorov", "Matveyev", "Titov", "Markov", "Mironov", "Krylov", "Kulikov",
    "Karpov", "Vlasov", "Melnikov", "Denisov", "Gavrilov", "Tikhonov", "Kazakov", "Afanasyev",
    "Danilov", "Savelyev", "Timofeyev", "Fomin", "Chernov", "Abramov", "Martynov", "Yefimov",
    "Shcherbakov", "Nazarov", "Kalinin", "Isayev", "Chernyshev", "Bykov", "Maslov", "Rodionov",
    "Konovalov", "Lazarev", "Voronin", "Klimov", "Filatov", "Ponomaryov", "Golubev", "Kudryavtsev",
    "Prokhorov", "Naumov", "Potapov", "Zhuravlyov", "Ovchinnikov", "Trofimov", "Leonov",
    "Sobolev", "Yermakov", "Kolesnikov", "Goncharov", "Yemelyanov", "Nikiforov", "Grachev",
    "Kotov", "Grishin", "Yefremov", "Arkhipov", "Gromov", "Kirillov", "Malyshev", "Panov",
    "Moiseyev", "Rumyantsev", "Akimov", "Kondratyev", "Biryukov", "Gorbunov", "Anisimov",
    "Yeremin", "Tikhomirov", "Galkin", "Lukyanov", "Mikheyev", "Skvortsov", "Yudin", "Belousov",
    "Nesterov", "Simonov", "Prokofyev", "Kharitonov", "Knyazev", "Tsvetkov", "Levin", "Mitrofanov",
    "Voronov", "Aksyonov", "Sofronov", "Maltsev", "Loginov", "Gorshkov", "Savin", "Krasnov",
    "Mayorov", "Demidov", "Yeliseyev", "Rybakov", "Safonov", "Plotnikov", "Demin", "Khokhlov",
    "Fadeyev", "Molchanov", "Ignatov", "Litvinov", "Yershov", "Ushakov", "Dementyev", "Ryabov",
    "Mukhin", "Kalashnikov", "Leontyev", "Lobanov", "Kuzmin", "Korneyev", "Yevdokimov", "Borodin",
    "Platonov", "Nekrasov", "Balashov", "Bobrov", "Zhdanov", "Blinov", "Ignatyev", "Korotkov",
    "Muravyov", "Kryukov", "Belyakov", "Bogomolov", "Drozdov", "Lavrov", "Zuyev", "Petukhov",
    "Larin", "Nikulin", "Serov", "Terentyev", "Zotov", "Ustinov", "Fokin", "Samoilov",
    "Konstantinov", "Sakharov", "Shishkin", "Samsonov", "Cherkasov", "Chistyakov", "Nosov",
    "Spiridonov", "Karasyov", "Avdeyev", "Vorontsov", "Zverev", "Vladimirov", "Seleznyov",
)  # fmt: skip

# Textile mills employed many women; other factories and the regiments men alone.
WOMEN_SHARE_BY_SLUG: dict[str, float] = {
    "vyborg-mills": 0.7,
    "nevsky-thread": 0.6,
    "treugolnik-rubber": 0.5,
    "prokhorov-textile": 0.6,
    "tsindel-textile": 0.6,
}


def feminine(surname: str) -> str:
    """The feminine form of a Russian surname (Ivanov -> Ivanova, Ilyin -> Ilyina)."""
    if surname.endswith(("ov", "ev", "ёв", "in", "yn")):
        return surname + "a"
    if surname.endswith("sky"):
        return surname[:-3] + "skaya"
    return surname


def member_names(constituency: ConstituencyRow, offset: int) -> list[tuple[str, str]]:
    """The (name, email) of each member of a constituency, the same on every run.

    ``offset`` is the number of members generated before this constituency, so names repeat
    rarely across the whole organization (and emails never do: they carry the constituency).
    """
    women = round(constituency.members * WOMEN_SHARE_BY_SLUG.get(constituency.slug, 0.0))
    rows = []
    for i in range(constituency.members):
        n = offset + i
        surname = SURNAMES[(n * 7 + n // len(SURNAMES)) % len(SURNAMES)]
        # Spread a mill's women evenly through its roll (integer steps: no rounding drift).
        if (i + 1) * women // constituency.members > i * women // constituency.members:
            given = GIVEN_NAMES_WOMEN[(n * 5) % len(GIVEN_NAMES_WOMEN)]
            surname = feminine(surname)
        else:
            given = GIVEN_NAMES_MEN[(n * 11) % len(GIVEN_NAMES_MEN)]
        email = f"{given}.{surname}.{i + 1}@{constituency.slug}.example".lower()
        rows.append((f"{given} {surname}", email))
    return rows
