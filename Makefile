# The two commands of the README, plus lint.
.PHONY: run test lint

run:  ## set everything up and serve Odoo with the suite on 127.0.0.1
	bash scripts/run.sh

test:  ## throwaway database, install + upgrade check, every test, database dropped
	bash scripts/test.sh

lint:  ## ruff and OCA's mandatory pylint-odoo checks
	ruff check .
	ruff format --check .
	python3 -m pylint --rcfile=.pylintrc addons/* tests/addons/*
