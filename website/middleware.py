"""Old addresses of a site the newsroom moved in from (wpimport/): a 301 to the page that replaced them."""

from django.http import HttpResponsePermanentRedirect

from wpimport.addresses import new_address


class OldAddressMiddleware:
    """Answers an address no page claims (a 404) with a permanent redirect when it is an imported site's old
    address: WordPress permalinks, ``/?p=ID``, category, tag and author pages. Known addresses of this site are never
    looked up, so the cost falls on 404s and on requests with ``?p=`` (WordPress's post links) only.

    It sits inside the page cache: a redirect is never stored as a page, and the home page's copy (the cache key keeps
    ``p``, NEWSROOM_PAGE_CACHE_QUERY_PARAMETERS) is the same page for every reader."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        post_id = request.GET.get("p", "")
        if post_id.isascii() and post_id.isdigit():
            url = new_address(request.path, post_id=post_id)
            if url:
                return HttpResponsePermanentRedirect(url)
        response = self.get_response(request)
        if response.status_code == 404:
            url = new_address(request.path)
            if url:
                return HttpResponsePermanentRedirect(url)
        return response
