# Sourced by http-bench.sh and slowdisk.sh: starts and stops the HTTP peers on 127.0.0.1.
#   start_peer NAME DIR PORT   starts peer NAME serving DIR; prints nothing; the URL prefix is peer_url NAME PORT
#   stop_peers                 stops every peer started (by the pids recorded, never by name)
# Peers: aio (aio serve, zero-copy on: the default), aio-nozc (aio serve --no-zero-copy: every GET through AIO),
# spring (the same Spring Boot application and JVM, its router pointed at an empty folder, and Spring's static resources
# on DIR: spring.web.resources.static-locations), nginx (sendfile on), python (python3 -m http.server).
# Environment: AIO_JAR (aio-cli/target/aio.jar), JAVA_OPTS (for the JVM peers), PEER_CGROUP (a cgroup v1 directory
# the servers are started in, for slowdisk.sh). LAST_PEER_PID is the pid of the last peer started.

PEER_PIDS=()
PEER_TMP=$(mktemp -d /tmp/aio4j-peers.XXXXXX)

peer_url() { # NAME PORT
    case $1 in
        aio|aio-nozc) echo "http://127.0.0.1:$2/files" ;;
        spring) echo "http://127.0.0.1:$2/static" ;;
        *) echo "http://127.0.0.1:$2" ;;
    esac
}

start_peer() { # NAME DIR PORT
    local name=$1 dir=$2 port=$3 log=$PEER_TMP/$1.log
    local -a cmd
    case $name in
        aio) cmd=(java ${JAVA_OPTS:-} -jar "$AIO_JAR" serve "$dir" --port "$port") ;;
        aio-nozc) cmd=(java ${JAVA_OPTS:-} -jar "$AIO_JAR" serve "$dir" --port "$port" --no-zero-copy) ;;
        spring)
            mkdir -p "$PEER_TMP/empty"
            cmd=(java ${JAVA_OPTS:-} "-Dspring.web.resources.static-locations=file:$dir/"
                "-Dspring.webflux.static-path-pattern=/static/**" -jar "$AIO_JAR" serve "$PEER_TMP/empty" --port "$port") ;;
        nginx)
            mkdir -p "$PEER_TMP/nginx"
            cat > "$PEER_TMP/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
user root;
pid $PEER_TMP/nginx/nginx.pid;
error_log $PEER_TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $PEER_TMP/nginx/body;
    proxy_temp_path $PEER_TMP/nginx/proxy;
    fastcgi_temp_path $PEER_TMP/nginx/fastcgi;
    uwsgi_temp_path $PEER_TMP/nginx/uwsgi;
    scgi_temp_path $PEER_TMP/nginx/scgi;
    server { listen 127.0.0.1:$port; root $dir; }
}
CONF
            cmd=(nginx -c "$PEER_TMP/nginx/nginx.conf") ;;
        python) cmd=(python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir") ;;
        *) echo "unknown peer $name" >&2; return 2 ;;
    esac
    # the subshell joins the cgroup (if any) and becomes the server: $! is the server's pid
    (
        if [[ -n ${PEER_CGROUP:-} ]]; then echo "$BASHPID" > "$PEER_CGROUP/cgroup.procs"; fi
        exec "${cmd[@]}"
    ) > "$log" 2>&1 &
    PEER_PIDS+=($!)
    LAST_PEER_PID=$!
    local url i
    url=$(peer_url "$name" "$port")
    for i in $(seq 1 300); do
        if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/.ready" 2> /dev/null) != 000 ]]; then return 0; fi
        sleep 0.2
    done
    echo "peer $name did not start; its log:" >&2
    cat "$log" >&2
    return 1
}

stop_peers() { # keeps the peers' logs in PEER_LOGS if set (http-bench.sh: results/http-STAMP-logs)
    local p
    for p in "${PEER_PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    for p in "${PEER_PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
    PEER_PIDS=()
    # (python's log is its access log, a line per request: left out)
    if [[ -n ${PEER_LOGS:-} ]]; then
        mkdir -p "$PEER_LOGS"
        for p in "$PEER_TMP"/*.log; do [[ $p == */python.log ]] || cp "$p" "$PEER_LOGS"/ 2> /dev/null || true; done
    fi
    rm -rf "$PEER_TMP"
}

# RSS in KiB of a peer's process (the JVM or the nginx master plus workers is not summed: JVM peers only)
peer_rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
