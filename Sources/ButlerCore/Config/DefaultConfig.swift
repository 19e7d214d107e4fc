/// The text of the shipped `config/butler.yaml` (kept identical by a test).
let defaultConfigYAML = """
# Butler in Swift: the default config, used by `make run` and whenever no --configfile is given.
# It needs no Qlik Sense site: the REST API on 127.0.0.1:8080 with the key-value store (kept in SQLite),
# ping, base conversion and the endpoint list. See production_template.yaml for every key.
Butler:
  logLevel: info
  fileLogging: false
  logDirectory: log

  restServerConfig:
    enable: true
    serverHost: 127.0.0.1
    serverPort: 8080
    tls:
      enable: false

  restServerEndpointsEnable:
    apiListEnabledEndpoints: true
    base62ToBase16: true
    base16ToBase62: true
    butlerping: true
    keyValueStore: true

  keyValueStore:
    enable: true
    maxKeysPerNamespace: 1000

  database:
    file: data/butler.sqlite

  scheduler:
    enable: false

  mqttConfig:
    enable: false

"""
