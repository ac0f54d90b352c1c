vcl 4.1;
# Varnish 7.1 with xkey (Debian: varnish, varnish-modules) in front of the Newsroom app (`make serve`).
#
# A template: VCL cannot read the environment, so `make varnish` and the test suite (tests/serving/conftest.py)
# replace @BACKEND_HOST@, @BACKEND_PORT@ and @BACKEND_HOST_HEADER@ (a name in DJANGO_ALLOWED_HOSTS, for the
# health probe) before loading it. docs/deploy.md, "Behind Varnish", explains the whole set-up.
#
# The app decides what may be kept: a response is stored only when its Cache-Control says `public` or gives an
# `s-maxage`, and never with Set-Cookie, `private`, `no-store` or `no-cache`. Pages stay until their s-maxage runs
# out or the app purges one of their surrogate keys (`PURGE /` with an `xkey-purge` header, newsroom/varnish.py).

import std;
import xkey;

backend app {
    .host = "@BACKEND_HOST@";
    .port = "@BACKEND_PORT@";
    # Sent on the probe (and on any backend request without a Host); Django answers 400 to a host it does not know.
    .host_header = "@BACKEND_HOST_HEADER@";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
    .probe = {
        .url = "/healthz";
        .timeout = 2s;
        .interval = 2s;
        .window = 3;
        .threshold = 2;
        # Healthy from the start: a restart of Varnish must not refuse readers for the first probes.
        .initial = 2;
    }
}

# Who may purge: the app servers and task workers. Loopback by default (app and Varnish on one machine); add the
# addresses of the machines that run `make worker` when they are elsewhere.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Our own marker between restarts (see vcl_hit and newsroom_stale_if_error); never a client's.
        unset req.http.X-Newsroom-Grace;
    }
    call vcl_req_host;

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is not allowed from " + client.ip));
        }
        if (req.http.xkey-purge) {
            # Hard: the copies are gone (a withdrawn story, pictures whose files were deleted).
            set req.http.X-Newsroom-Purged = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            # Soft: each copy's time to live ends now and its grace stays, so readers are served it while one
            # background fetch makes the page again (within stale-while-revalidate, see vcl_hit), instead of all
            # waiting for that fetch.
            set req.http.X-Newsroom-Purged = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "PURGE needs an xkey-purge or xkey-softpurge header: the surrogate keys to purge"));
        }
        return (synth(200, "Purged " + req.http.X-Newsroom-Purged));
    }

    # Only GET and HEAD are ever cached; everything else goes to the app as sent (no pipe).
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff (session) and readers with a pending message get their own pages.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=" || req.http.Authorization) {
        return (pass);
    }
    # Per-reader and staff URLs, and the liveness check, which must reach the app every time.
    if (req.url ~ "^/(admin|preview)/" ||
        req.url ~ "^/newsletter/(confirm|unsubscribe|preferences)/" ||
        req.url ~ "^/healthz") {
        return (pass);
    }

    # Public pages are the same for every reader: no other cookie may split or reach them.
    unset req.http.Cookie;
    # Part of the cache key (vcl_hash): two values at most, whatever a client sends.
    if (req.http.X-Forwarded-Proto != "https") {
        unset req.http.X-Forwarded-Proto;
    }
    # Campaign parameters change nothing on a page; dropping them (before the app sees the URL, so no link on the
    # page can carry them either) keeps one copy per page, as does sorting what is left.
    set req.url = regsuball(req.url, "(?<=[?&])(utm_[^=&]*|fbclid|gclid|gclsrc|dclid|msclkid|mc_cid|mc_eid)(=[^&]*)?(&|$)", "");
    set req.url = regsub(req.url, "[?&]+$", "");
    set req.url = std.querysort(req.url);

    if (req.http.X-Newsroom-Grace == "none") {
        # Stale past its stale-while-revalidate with a healthy app: fetch afresh (see vcl_hit).
        set req.grace = 0s;
    } elsif (req.http.X-Newsroom-Grace == "error") {
        # The app failed: any copy still within its stale-if-error will do.
        set req.grace = 365d;
    }
    # Otherwise the object's own grace applies: its stale-if-error, which vcl_hit shortens to the
    # stale-while-revalidate while the app is healthy.
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    if (req.http.host) {
        hash_data(req.http.host);
    } else {
        hash_data(server.ip);
    }
    # The app redirects plain HTTP to HTTPS: the two must never share a copy.
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_hit {
    # beresp.grace holds the longer of stale-while-revalidate and stale-if-error; the first is the limit while the
    # app answers its health probe.
    if (obj.ttl <= 0s && req.http.X-Newsroom-Grace != "error" && std.healthy(req.backend_hint) &&
        obj.ttl + std.duration(obj.http.X-Newsroom-SWR, 0s) <= 0s) {
        set req.http.X-Newsroom-Grace = "none";
        return (restart);
    }
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    if (!beresp.http.Content-Encoding &&
        beresp.http.Content-Type ~ "^(text/(html|plain|xml|css|javascript)|application/((rss|atom|xhtml)\+xml|xml|json|javascript|manifest\+json)|image/svg\+xml)\s*(;|$)") {
        set beresp.do_gzip = true;
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch || bereq.http.X-Newsroom-Grace == "none") {
            # A stale copy exists: keep it rather than replace it with the error, and serve it (see
            # newsroom_stale_if_error).
            return (abandon);
        }
        # Nothing to fall back on: the reader gets the app's error page, which is not remembered (a hit-for-miss
        # object would hide a stale copy from the next lookups).
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Cache-Control ~ "(?i)s-maxage=0\b" && beresp.http.Surrogate-Key) {
        # A page the app made while one of its keys was being purged: it may show what the purge was about to
        # replace. A background fetch keeps the copy it was to refresh (the next reader asks again); a reader who
        # waited for it gets it, and nothing is remembered, not even a hit-for-miss that would send every reader of
        # the page to the app at once.
        if (bereq.is_bgfetch) {
            return (abandon);
        }
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Set-Cookie ||
        beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)" ||
        beresp.http.Cache-Control !~ "(?i)(public|s-maxage)" ||
        beresp.http.Vary == "*" ||
        beresp.ttl <= 0s) {
        call newsroom_uncacheable;
    }

    if (beresp.http.Cache-Control ~ "(?i)stale-while-revalidate=[0-9]+") {
        set beresp.http.X-Newsroom-SWR = regsub(beresp.http.Cache-Control, "(?i)^.*stale-while-revalidate=([0-9]+).*$", "\1s");
    } else {
        set beresp.http.X-Newsroom-SWR = "0s";
    }
    set beresp.grace = std.duration(beresp.http.X-Newsroom-SWR, 0s);
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=[0-9]+" &&
        std.duration(regsub(beresp.http.Cache-Control, "(?i)^.*stale-if-error=([0-9]+).*$", "\1s"), 0s) > beresp.grace) {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "(?i)^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    }
    return (deliver);
}

sub newsroom_uncacheable {
    # Hit-for-miss: later requests go to the app without waiting on each other, and a cacheable answer replaces it.
    set beresp.ttl = 120s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
    return (deliver);
}

sub vcl_backend_error {
    # The app could not be reached: keep the stale copy, as above for a 5xx.
    if (bereq.is_bgfetch || bereq.http.X-Newsroom-Grace == "none") {
        return (abandon);
    }
}

sub newsroom_stale_if_error {
    # The fetch of a page whose stale copy vcl_hit passed over failed: look again, accepting any copy within its
    # stale-if-error. (A first lookup already accepts those: a miss there means there is none.)
    if (resp.status >= 500 && req.http.X-Newsroom-Grace == "none") {
        set req.http.X-Newsroom-Grace = "error";
        return (restart);
    }
}

sub vcl_deliver {
    call newsroom_stale_if_error;
    if (obj.hits > 0 && obj.ttl <= 0s) {
        # A copy past its time to live (soft-purged or expired), served while a fetch makes the page again.
        set resp.http.X-Cache = "STALE";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Keys are for caches, not readers (Fastly and Cloudflare drop theirs too).
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.X-Newsroom-SWR;
    if (resp.http.Cache-Control ~ "(?i)s-maxage") {
        # The copy here is current (purges keep it so), so a browser's max-age counts from now, not from when
        # Varnish fetched the page: with the true Age a page kept for hours would be stale in every browser.
        set resp.http.Age = "0";
    }
}

sub vcl_synth {
    if (req.method != "PURGE") {
        call newsroom_stale_if_error;
    }
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.http.X-Cache = "MISS";
    synthetic(resp.reason + {"
"});
    return (deliver);
}
