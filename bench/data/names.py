"""Name lists and the weighted draw of names: people, places, practices, offices, roles."""

import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass


# --------------------------------------------------------------------------- name lists
def _words(text: str, separator: str | None = None) -> list[str]:
    return [word.strip() for word in text.split(separator)]


# Roughly by frequency: earlier names are drawn more often (Zipf-like weights).
FIRST_NAMES = _words(
    """
James Mary Michael Jennifer John Linda Robert Patricia David Elizabeth William Susan Richard
Jessica Joseph Sarah Thomas Karen Christopher Lisa Charles Nancy Daniel Sandra Matthew Ashley
Anthony Emily Mark Donna Steven Michelle Andrew Carol Paul Amanda Joshua Melissa Kevin Deborah
Brian Stephanie Kenneth Rebecca Timothy Laura Ryan Sharon Jason Cynthia Jeffrey Kathleen Jacob
Amy Eric Angela Nicholas Anna Jonathan Brenda Justin Emma Scott Pamela Brandon Nicole Benjamin
Samantha Samuel Katherine Gregory Christine Alexander Rachel Patrick Catherine Frank Maria
Raymond Heather Jack Diane Dennis Julie Jerry Olivia Tyler Victoria Aaron Kelly Jose Megan Adam
Lauren Nathan Christina Henry Andrea Zachary Hannah Peter Jacqueline Kyle Martha Ethan Teresa
Walter Sara Noah Madison Jeremy Kathryn Christian Abigail Keith Alice Roger Julia Terry Grace
Sean Sophia Austin Denise Carl Amber Arthur Natalie Lawrence Danielle Dylan Brittany Jesse
Charlotte Jordan Marie Bryan Kayla Gabriel Alexis Logan Lori Juan Isabella Alan Diana Elijah
Rose Vincent Tiffany Mason Ava Philip Mia Luis Chloe Carlos Erin Miguel Vanessa Antonio Monica
Luke Ellen Liam Leah Owen Ruby Isaac Nora Caleb Lily Hunter Zoe Connor Audrey Evan Claire Ian
Naomi Marcus Valerie Darius Jasmine Andre Tamika Malik Keisha Jamal Latoya Tyrone Imani DeShawn
Ebony Wei Mei Jun Yan Hiroshi Yuki Kenji Akiko Minh Linh Huy Thao Raj Priya Arjun Ananya Vikram
Deepa Rahul Neha Mohammed Fatima Ahmed Aisha Omar Layla Ali Zainab Hassan Yasmin Ibrahim Mariam
Kwame Ama Chinedu Ngozi Emeka Adaeze Tunde Folake Diego Camila Javier Lucia Alejandro Valentina
Mateo Gabriela Santiago Daniela Rafael Ximena Pedro Carmen Jorge Rosa Ricardo Elena Fernando
Isabel Sergio Paula Ivan Olga Dmitri Natasha Sven Ingrid Lars Astrid Piotr Katarzyna Giovanni
Francesca Marco Giulia Siobhan Declan Aoife Quentin Beatrix Xavier Yvonne
"""
)

LAST_NAMES = _words(
    """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders
Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler
Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton
Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington
Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter
Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Hunt Hicks Holmes Palmer Wagner Black
Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson
Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce
Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson
Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews
Richards Contreras Willis Carpenter Lawrence Sandoval Wang Li Zhang Liu Yang Huang Zhao Wu Zhou
Xu Singh Shah Khan Ali Ahmed Hussain Chowdhury Das Reddy Iyer Nair Sharma Gupta Kumar Le Pham
Hoang Vu Dang Bui Do Ngo Park Choi Jung Kang Cho Yoon Tanaka Suzuki Watanabe Takahashi Okafor
Adeyemi Mensah Okonkwo Abubakar Diallo Kowalski Nowak Novak Ivanov Petrov Rossi Russo Ferrari
Esposito Bianchi Romano Colombo O'Brien O'Connor O'Neill McCarthy Byrne Schneider Fischer Weber
Becker Schulz Hoffmann Larsen Nielsen Andersen Johansson Lindqvist Quigley Zimmerman
"""
)

# Names with letters outside ASCII, drawn rarely: rare search terms, and usernames that
# must be folded to ASCII.
ACCENTED_FIRST_NAMES = _words(
    """
Zoë Chloé Renée André Björn Søren Łukasz Małgorzata Dóra Siobhán Íñigo Núria Göran Jürgen
Zoltán Ágnes Thérèse François Hélène Jérôme Ömer Çağla Şebnem Đorđe
"""
)
ACCENTED_LAST_NAMES = _words(
    """
Müller Núñez Peña Muñoz Ibáñez Østergaard Łukaszewicz Söderberg Kovačević Đokić Håkansson
Gonçalves Villaseñor Dvořák Çelik Öztürk
"""
)
ACCENTED_SHARE = 0.0025

PLACES = _words(
    """
Oak Ridge|Maple Grove|Cedar Falls|Pine Valley|Riverside|Lakeside|Hillcrest|Brookside|Fairview|
Greenwood|Springfield|Madison|Franklin|Clinton|Georgetown|Salem|Bristol|Chester|Dover|Arlington|
Ashland|Burlington|Clayton|Dayton|Hudson|Jackson|Kingston|Lexington|Milford|Newport|Oxford|
Plymouth|Princeton|Richmond|Sheffield|Troy|Vernon|Warren|Winchester|Ashford|Bayview|Bellevue|
Birchwood|Bluewater|Briarwood|Canyon|Cherry Hill|Clearwater|Cloverdale|Cobblestone|
Copper Ridge|Crestview|Deer Park|Eagle Rock|Elmwood|Evergreen|Fox Run|Glenwood|Golden Valley|
Granite Bay|Harbor Point|Hawthorne|Heritage|Highland|Hollybrook|Ironwood|Juniper|Kensington|
Lakewood|Laurel|Liberty|Lincoln Park|Magnolia|Meadowbrook|Mesa|Mill Creek|Mission|Montclair|
Mountain View|North Shore|Northgate|Oakmont|Orchard|Palisades|Parkside|Pebble Creek|
Pleasant Hill|Prairie|Quail Run|Redwood|Ridgeview|Rolling Hills|Rosewood|Sandstone|Sequoia|
Shady Grove|Silver Lake|Somerset|South Bay|Spring Valley|Stonebridge|Summit|Sunnyvale|Sunrise|
Sycamore|Tall Oaks|Timberline|Twin Lakes|Union|Valley Forge|Vista|Walnut Creek|Waterford|
West End|Westfield|Westwood|Whispering Pines|Wildwood|Windsor|Woodland|Aspen|Beacon|Blue Ridge|
Coastal|Crescent|Delta|Edgewater|Fairfield|Garden City|Grand Prairie|Hampton|Horizon|Keystone|
Lakeshore|Landmark|Meridian|Pacific|Peachtree|Pioneer|Red Oak|Seaside|Sierra|Southgate|
Sterling|Tidewater|Trinity|Valley View
""",
    separator="|",
)

# Kinds of practice and the short form used in the practice's email domain.
PRACTICE_KINDS = {
    "Family Medicine": "fm",
    "Family Practice": "fp",
    "Internal Medicine": "im",
    "Pediatrics": "peds",
    "Health Center": "hc",
    "Medical Group": "mg",
    "Primary Care": "pc",
    "Clinic": "clinic",
    "Women's Health": "wh",
    "Cardiology": "cardio",
    "Dermatology": "derm",
    "Orthopedics": "ortho",
    "Medical Associates": "ma",
    "Community Health": "ch",
    "Urgent Care": "uc",
}
LARGE_PRACTICE = ("Great Lakes Health Network", "greatlakeshealth.example.org")
SMALL_PRACTICE = ("Willow Creek Family Practice", "willowcreekfp.example.org")
PERSONAL_DOMAINS = (
    "mail.example.com", "inbox.example.net", "post.example.org", "webmail.example.com",
    "fastmail.example.net", "home.example.org",
)  # fmt: skip

OFFICE_NAMES = (
    "Main Office", "North Clinic", "South Clinic", "East Clinic", "West Clinic",
    "Downtown Office", "Uptown Office", "Riverside Office", "Lakeside Office", "Hillside Clinic",
    "Central Office", "Medical Plaza", "Harbor Office", "Park Avenue Office", "Main Street Clinic",
    "Oak Street Office", "Maple Avenue Clinic", "Pine Street Office", "Elm Street Clinic",
    "Cedar Office", "Summit Office", "Valley Clinic", "Airport Office", "Mall Clinic",
)  # fmt: skip

# Practice roles; permissions in the catalogue order of backend.models.Permission.
PRACTICE_ROLES = (
    ("Front Desk", ["SCHEDULING", "PATIENT_INFORMATION", "PROFILES"]),
    ("Billing Specialist", ["REPORTING", "BILLING", "SUBMIT_CLAIMS"]),
    ("Office Manager", ["MANAGE_ACCOUNTS", "SCHEDULING", "SETTINGS", "PROFILES", "REPORTING"]),
    ("Medical Assistant", ["SCHEDULING", "CHARTING", "PATIENT_INFORMATION"]),
    (
        "Prescriber",
        ["CHARTING", "PATIENT_INFORMATION", "SIGN_CLINICAL_NOTES", "ELECTRONIC_PRESCRIBING"],
    ),
    ("Scheduler", ["SCHEDULING"]),
)

NURSE_CARE_TEAM_ROLES = (
    "REGISTERED_NURSE", "LICENSED_PRACTICAL_NURSE", "NURSE_PRACTITIONER", "CHRONIC_CARE_NURSE",
)  # fmt: skip
OTHER_CARE_TEAM_ROLES = (
    "MEDICAL_ASSISTANT", "CARE_COORDINATOR", "CASE_MANAGER", "HEALTH_COACH", "SOCIAL_WORKER",
    "DIETITIAN",
)  # fmt: skip
AREA_CODES = ("212", "312", "415", "617", "713", "206", "303", "404", "503", "602", "216", "919")

_ASCII_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})


@dataclass
class Weighted:
    names: list[str]
    cumulative: list[float]

    @classmethod
    def zipf(cls, common: Sequence[str], accented: Sequence[str]) -> "Weighted":
        names = list(dict.fromkeys(common))
        weights = [1.0 / (rank + 10) for rank in range(len(names))]
        accented_weight = sum(weights) * ACCENTED_SHARE / (1 - ACCENTED_SHARE) / len(accented)
        names += accented
        weights += [accented_weight] * len(accented)
        cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            cumulative.append(total)
        return cls(names, cumulative)

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def ascii_slug(name: str) -> str:
    """The username form of a name: ASCII letters only ("Søren" -> "soren", "O'Brien" ->
    "obrien")."""
    folded = unicodedata.normalize("NFKD", name.translate(_ASCII_FOLD))
    return re.sub(r"[^a-z]", "", folded.encode("ascii", "ignore").decode().lower())
