# The two commands of the README:
#   make run    run the hub (embedded store, seeded, with the web client)
#   make test   run every test, with a real Neo4j
.PHONY: run test generate build bench neo4j-start neo4j-stop

run:
	go run ./cmd/hub serve

test:
	scripts/test.sh

generate:
	scripts/generate.sh

bench:
	go test -run '^$$' -bench . -benchmem ./graph/embedded/ ./graph/analytics/ ./internal/server/

build:
	go build -o bin/hub ./cmd/hub

neo4j-start:
	tools/neo4j/start.sh

neo4j-stop:
	tools/neo4j/stop.sh
