# tests/mqtt.sh: a throwaway Mosquitto broker for the tests (POSIX sh).
# Source it (after tests/lib.sh in an integration script; tests/deps.sh
# sources it alone). Everything lives in $TEST_LOG_DIR/mqtt: the config, the
# password file and the broker's log ($MQTT_LOG: broker.log there; its
# stdout goes to the lib.sh log "mqtt" when lib.sh is loaded). Listens on 127.0.0.1 only; no persistence.
#
#   mqtt_start [auth]   starts mosquitto on $MQTT_PORT (a free loopback port
#                       unless MQTT_PORT is already set, so a restart keeps
#                       its port) and waits for it to accept; exports
#                       MQTT_PORT. Plain: allow_anonymous true. With `auth`:
#                       anonymous refused, one user $MQTT_USER / $MQTT_PASS
#                       (defaults plant1 / s3cret) in a mode-600 password file.
#                       With `tls`: anonymous over TLS only, a throwaway CA
#                       ($MQTT_CA) and a server certificate for 127.0.0.1
#                       made with openssl; $MQTT_OTHER_CA is a second CA
#                       that did not sign it. With `tls-cert`: as `tls`,
#                       and the broker requires a client certificate
#                       signed by $MQTT_CA (require_certificate true): the
#                       daemon's in $MQTT_CLIENT_CERT / $MQTT_CLIENT_KEY,
#                       the subscriber's in $MQTT_SUB_CERT / $MQTT_SUB_KEY
#   mqtt_stop           SIGTERM to the broker it started, waits for it
#   mqtt_sub ARGS...    mosquitto_sub on the broker (-h 127.0.0.1 -p PORT)
#   mqtt_connections    how many TCP connections the broker log shows
#
# Under lib.sh the broker is started with start_bg (name "mqtt"), so the
# script's exit trap stops it too; alone it is stopped by mqtt_stop.

MQTT_USER=${MQTT_USER:-plant1}
MQTT_PASS=${MQTT_PASS:-s3cret}
MQTT_DIR="$TEST_LOG_DIR/mqtt"
MQTT_LOG="$MQTT_DIR/broker.log"

_mqtt_free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# _mqtt_signed NAME CN [EXTFILE]: a key and a certificate for CN signed by
# the CA, $MQTT_DIR/NAME.key (mode 600) and NAME.crt
_mqtt_signed() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" \
		-keyout "$MQTT_DIR/$1.key" -out "$MQTT_DIR/$1.csr" 2>/dev/null &&
	chmod 600 "$MQTT_DIR/$1.key" &&
	openssl x509 -req -in "$MQTT_DIR/$1.csr" -CA "$MQTT_CA" -CAkey "$MQTT_DIR/ca.key" \
		-CAcreateserial -days 1 ${3:+-extfile "$3"} \
		-out "$MQTT_DIR/$1.crt" 2>/dev/null
}

# _mqtt_certs: a CA, a second CA, the CA's server certificate for
# 127.0.0.1 and two client certificates (the daemon's, the subscriber's)
# in $MQTT_DIR (openssl, RSA 2048, a day)
_mqtt_certs() {
	MQTT_CA="$MQTT_DIR/ca.crt"
	MQTT_OTHER_CA="$MQTT_DIR/other-ca.crt"
	MQTT_CLIENT_CERT="$MQTT_DIR/client.crt" MQTT_CLIENT_KEY="$MQTT_DIR/client.key"
	MQTT_SUB_CERT="$MQTT_DIR/sub.crt" MQTT_SUB_KEY="$MQTT_DIR/sub.key"
	export MQTT_CA MQTT_OTHER_CA MQTT_CLIENT_CERT MQTT_CLIENT_KEY MQTT_SUB_CERT MQTT_SUB_KEY
	for _ca in ca other-ca; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=stillroom test $_ca" \
			-keyout "$MQTT_DIR/$_ca.key" -out "$MQTT_DIR/$_ca.crt" 2>/dev/null || return 1
	done
	printf 'subjectAltName=IP:127.0.0.1\n' >"$MQTT_DIR/san.ext" &&
	_mqtt_signed server 127.0.0.1 "$MQTT_DIR/san.ext" &&
	_mqtt_signed client "stillroomd plant1" &&
	_mqtt_signed sub "test subscriber"
}

# _mqtt_conf MODE: writes the broker's config for MODE (plain|auth|tls)
_mqtt_conf() {
	{
		echo "listener $MQTT_PORT 127.0.0.1"
		echo "persistence false"
		echo "log_dest file $MQTT_DIR/broker.log"
		echo "log_type all"
		echo "connection_messages true"
		echo "user $(id -un)"
		if [ "$1" = auth ]; then
			echo "allow_anonymous false"
			echo "password_file $MQTT_DIR/passwd"
		elif [ "$1" = tls ] || [ "$1" = tls-cert ]; then
			echo "allow_anonymous true"
			echo "cafile $MQTT_DIR/ca.crt"
			echo "certfile $MQTT_DIR/server.crt"
			echo "keyfile $MQTT_DIR/server.key"
			[ "$1" = tls-cert ] && echo "require_certificate true"
		else
			echo "allow_anonymous true"
		fi
	} >"$MQTT_DIR/mosquitto.conf"
	case $1 in tls | tls-cert) _mqtt_certs || return 1 ;; esac
	if [ "$1" = auth ]; then
		: >"$MQTT_DIR/passwd"
		chmod 600 "$MQTT_DIR/passwd"
		mosquitto_passwd -b "$MQTT_DIR/passwd" "$MQTT_USER" "$MQTT_PASS" || return 1
	fi
}

_mqtt_up() {
	/usr/bin/python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.close()' "$MQTT_PORT" 2>/dev/null
}

mqtt_start() {
	mkdir -p "$MQTT_DIR"
	MQTT_PORT=${MQTT_PORT:-$(_mqtt_free_port)}
	export MQTT_PORT
	_mqtt_conf "${1:-plain}" || return 1
	if command -v start_bg >/dev/null 2>&1; then
		start_bg mqtt mosquitto -c "$MQTT_DIR/mosquitto.conf"
		MQTT_PID=$(bg_pid mqtt)
	else
		mosquitto -c "$MQTT_DIR/mosquitto.conf" >"$MQTT_DIR/mqtt.out" 2>&1 &
		MQTT_PID=$!
	fi
	_mqtt_n=0
	while ! _mqtt_up; do
		_mqtt_n=$((_mqtt_n + 1))
		if [ $_mqtt_n -gt 100 ] || ! kill -0 "$MQTT_PID" 2>/dev/null; then
			echo "mqtt_start: mosquitto did not come up on 127.0.0.1:$MQTT_PORT" >&2
			tail -n 5 "$MQTT_LOG" "$MQTT_DIR/mqtt.out" "$TEST_LOG_DIR/mqtt.log" 2>/dev/null >&2
			return 1
		fi
		sleep 0.1
	done
}

mqtt_stop() {
	if command -v stop_bg >/dev/null 2>&1; then
		stop_bg mqtt 5
		return 0
	fi
	[ -n "${MQTT_PID:-}" ] || return 0
	kill -TERM "$MQTT_PID" 2>/dev/null
	wait "$MQTT_PID" 2>/dev/null
	MQTT_PID=
	return 0
}

mqtt_sub() {
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" "$@"
}

mqtt_connections() {
	grep -c 'New connection from' "$MQTT_LOG" 2>/dev/null
}
