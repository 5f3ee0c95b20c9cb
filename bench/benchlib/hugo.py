"""The minimal hugo site that is timed next to adrsite when hugo is installed."""
import json


def hugo_site(site, corpus):
    """A minimal hugo site like shared/bench/peers.sh: one page per ADR, an index with a status
    badge from front matter, and a link hook that turns NNNN-x.md links into links between pages."""
    layouts = site / "layouts" / "_default"
    (layouts / "_markup").mkdir(parents=True, exist_ok=True)
    (site / "config.toml").write_text(f"""baseURL = "http://example.org/"
title = "ADRs"
contentDir = {json.dumps(str(corpus))}
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
buildFuture = true
[markup.goldmark.renderer]
unsafe = true
""")
    (layouts / "single.html").write_text("""<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><p><a href="{{ "/" | relURL }}">All decisions</a></p>{{ .Content }}</body></html>
""")
    (layouts / "list.html").write_text("""<!doctype html><html><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><h1>{{ .Site.Title }}</h1><ul>
{{ range sort .Site.RegularPages "File.BaseFileName" }}<li><a href="{{ .RelPermalink }}">{{ .File.BaseFileName }}</a>{{ with .Params.status }} <span class="badge">{{ . }}</span>{{ end }}</li>
{{ end }}</ul></body></html>
""")
    (layouts / "_markup" / "render-link.html").write_text(
        """{{- $u := .Destination -}}{{- if strings.HasSuffix $u ".md" -}}{{- $u = printf "../%s/" (strings.TrimSuffix ".md" $u) -}}{{- end -}}
<a href="{{ $u | safeURL }}">{{ .Text | safeHTML }}</a>
""")
    return site
