"""The list of affections de longue durée (CSS D160-4), by their ALD number.

ALD 31 (affection « hors liste ») and ALD 32 (polypathologie) come from
CSS L160-14 4°. ALD 12 (hypertension artérielle sévère) was struck from the
list by décret n° 2011-726 du 24 juin 2011: existing exonérations run on, no
new admission is accepted after that date.
"""

from __future__ import annotations

from datetime import date

from secu.core.parameters import parameters

ALD = {
    "1": "Accident vasculaire cérébral invalidant",
    "2": "Insuffisances médullaires et autres cytopénies chroniques",
    "3": "Artériopathies chroniques avec manifestations ischémiques",
    "4": "Bilharziose compliquée",
    "5": "Insuffisance cardiaque grave, troubles du rythme graves, cardiopathies valvulaires graves, cardiopathies congénitales graves",
    "6": "Maladies chroniques actives du foie et cirrhoses",
    "7": "Déficit immunitaire primitif grave nécessitant un traitement prolongé, déficit immunitaire acquis grave",
    "8": "Diabète de type 1 et diabète de type 2",
    "9": "Formes graves des affections neurologiques et musculaires (dont myopathie), épilepsie grave",
    "10": "Hémoglobinopathies, hémolyses, chroniques constitutionnelles et acquises sévères",
    "11": "Hémophilies et affections constitutionnelles de l'hémostase graves",
    "12": "Hypertension artérielle sévère (retirée de la liste en 2011)",
    "13": "Maladie coronaire",
    "14": "Insuffisance respiratoire chronique grave",
    "15": "Maladie d'Alzheimer et autres démences",
    "16": "Maladie de Parkinson",
    "17": "Maladies métaboliques héréditaires nécessitant un traitement prolongé spécialisé",
    "18": "Mucoviscidose",
    "19": "Néphropathie chronique grave et syndrome néphrotique primitif",
    "20": "Paraplégie",
    "21": "Vascularites, lupus érythémateux systémique, sclérodermie systémique",
    "22": "Polyarthrite rhumatoïde évolutive",
    "23": "Affections psychiatriques de longue durée",
    "24": "Rectocolite hémorragique et maladie de Crohn évolutives",
    "25": "Sclérose en plaques",
    "26": "Scoliose idiopathique structurale évolutive",
    "27": "Spondylarthrite grave",
    "28": "Suites de transplantation d'organe",
    "29": "Tuberculose active, lèpre",
    "30": "Tumeur maligne, affection maligne du tissu lymphatique ou hématopoïétique",
    "31": "Affection hors liste (forme évolutive ou invalidante d'une affection grave)",
    "32": "Polypathologie invalidante",
}

ADMISSION_ALD_12 = "ald.admission_ald_12"


def admissible(code: str, le: date) -> bool:
    """May a new admission in the ALD ``code`` start on ``le``? All of the list may, but the ALD 12 once the parameter
    ``ald.admission_ald_12`` says it left the list (décret n° 2011-726: 0 from 27 June 2011; before its first date,
    the ALD 12 was on the list)."""
    if code != "12":
        return True
    parameter = parameters().get(ADMISSION_ALD_12)
    return le < parameter.dates[0] or parameter.at(le).value != 0
