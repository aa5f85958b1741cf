"""Steps a person takes in the workbench, for the end-to-end browser tests (Selenium).

`create_case_from_form` fills in /cases/new as an officer does, without uploading anything: an
initial case with a full score sheet, one major nonconformity and an evaluation team (李四
leading, 赵六 a member), and saves it."""

from __future__ import annotations

from typing import Any

# The score sheet of examples/hz-initial-three-star.yaml: (awarded, available) per indicator.
SCORES = {
    "organization": (5, 6),
    "staffing": (5.5, 6),
    "resources": (5, 6),
    "norms": (6, 6),
    "supervision": (4, 5),
    "improvement": (2.5, 5),
    "service_culture": (5, 6),
    "product_information": (4.5, 5),
    "technical_support": (5, 6),
    "delivery": (5, 6),
    "repair": (6, 7),
    "quality_assurance": (5, 6),
    "recycling": (4, 5),
    "customer_relations": (11, 12),
    "complaint_handling": (11, 13),
}
TEAM = (("李四", "leader"), ("赵六", "member"))
NC_STATEMENT = "未建立维修记录"


def _wait_for(driver: Any, name: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.NAME, name)))


def _press(driver: Any, button: str, value: str, then: str) -> None:
    """A submit button of the form (add a row): the server draws the form again."""
    from selenium.webdriver.common.by import By

    _click(driver, driver.find_element(By.CSS_SELECTOR, f'button[name="{button}"][value="{value}"]'))
    _wait_for(driver, then)


def _click(driver: Any, element: Any) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def _type(driver: Any, name: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(text)


def _date(driver: Any, name: str, iso: str) -> None:
    """A date input takes its value as the browser's date picker would set it."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, name)
    driver.execute_script("arguments[0].value = arguments[1]", field, iso)


def _choose(driver: Any, name: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.NAME, name)).select_by_value(value)


def create_case_from_form(driver: Any, base_url: str, case_id: str = "BR-2026-0001") -> str:
    """Create a valid initial case from the form (one major NC, a team of 李四 and 赵六) and
    return its id once the case page shows."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base_url + "/cases/new?stage=initial")
    _wait_for(driver, "case_id")
    _press(driver, "add_row", "evaluation.nonconformities", "evaluation.nonconformities[0].statement")
    for i in range(len(TEAM)):
        _press(driver, "add_row", "evaluation.team", f"evaluation.team[{i}].name")

    _type(driver, "case_id", case_id)
    _type(driver, "organization.name", "厦门浏览器测试电器有限公司")
    _type(driver, "organization.credit_code", "91350200MA31K8XQ4M")
    _type(driver, "organization.country", "CN")
    for name in ("organization.legal_entity", "organization.legal_compliance"):
        _choose(driver, name, "true")
    _choose(driver, "organization.business_type", "sales")
    _date(driver, "service_system.operating_since", "2025-09-01")
    for name in ("service_system.rules_documented", "service_system.dedicated_fund"):
        _choose(driver, name, "true")
    _type(driver, "service_system.responsible_person", "张三")
    _type(driver, "service_system.trained_managers", "2")

    _date(driver, "evaluation.date", "2026-11-12")
    _choose(driver, "evaluation.type", "initial")
    for indicator, (awarded, available) in SCORES.items():
        _type(driver, f"evaluation.scores.{indicator}.awarded", f"{awarded:g}")
        _type(driver, f"evaluation.scores.{indicator}.available", f"{available:g}")
    _choose(driver, "evaluation.nonconformities[0].indicator", "repair")
    _choose(driver, "evaluation.nonconformities[0].severity", "major")
    _type(driver, "evaluation.nonconformities[0].statement", NC_STATEMENT)
    for i, (name, role) in enumerate(TEAM):
        _type(driver, f"evaluation.team[{i}].name", name)
        _choose(driver, f"evaluation.team[{i}].role", role)

    from browser_support import snapshot
    from selenium.webdriver.common.by import By

    snapshot(driver, "intake-form-filled")
    _click(driver, driver.find_element(By.CSS_SELECTOR, 'button.save[name="save"]'))
    WebDriverWait(driver, 60).until(expected_conditions.url_contains(f"/cases/{case_id}"))
    if "/cases/new" in driver.current_url:  # refused: say why
        problems = [p.text for p in driver.find_elements(By.CSS_SELECTOR, "p.problem, section.problems li")]
        raise AssertionError(f"the form was refused: {problems}")
    return case_id
