package io.tollgate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own HTTP
 * client and WebSocket: no browser download, no driver, no library. It clicks and types as a person
 * does (mouse events at an element's centre, key events, text inserted at the focus), waits for the
 * page that a click or a redirect loads, takes screenshots and runs an in-page accessibility check.
 * Every request carries {@code X-Forwarded-For}, so the gateway counts this browser under its own
 * address, as it would count a person.
 */
final class Chromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final Path screenshots;

    private Chromium(Process process, Path profile, WebSocket socket, Path screenshots) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
        this.screenshots = screenshots;
    }

    /** The binary: {@code TOLLGATE_CHROMIUM}, else Debian's {@code /usr/bin/chromium} (deploy/local/tools.sh installs it). */
    static Path binary() {
        String configured = System.getenv("TOLLGATE_CHROMIUM");
        for (String candidate : configured != null ? List.of(configured) : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("no Chromium: run deploy/local/tools.sh ensure (apt-get install chromium), or set TOLLGATE_CHROMIUM");
    }

    /** A fresh headless browser with an empty profile, calling from {@code clientIp}; screenshots go to {@code screenshots}. */
    static Chromium start(String clientIp, Path screenshots) throws Exception {
        Path profile = Files.createTempDirectory("tollgate-chromium");
        Files.createDirectories(screenshots);
        Process process = new ProcessBuilder(binary().toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain", "--hide-scrollbars",
                "--window-size=900,1000", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        // Chromium writes the port it chose (and the browser's socket path) to DevToolsActivePort
        Path active = profile.resolve("DevToolsActivePort");
        long end = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(active) || Files.readAllLines(active).size() < 2) {
            if (!process.isAlive() || System.nanoTime() > end) {
                process.destroyForcibly();
                throw new IllegalStateException("Chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(active).getFirst().trim());
        HttpClient http = HttpClient.newHttpClient();
        String pageSocket = null;
        while (pageSocket == null) {
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode t : targets) {
                if ("page".equals(t.path("type").asText())) {
                    pageSocket = t.path("webSocketDebuggerUrl").asText();
                }
            }
            if (pageSocket == null) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("Chromium opened no page");
                }
                Thread.sleep(100);
            }
        }
        Chromium[] self = new Chromium[1];
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    String text = message.toString();
                    message.setLength(0);
                    self[0].receive(text);
                }
                ws.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        Chromium browser = new Chromium(process, profile, socket, screenshots);
        self[0] = browser;
        browser.call("Page.enable", Map.of());
        browser.call("Runtime.enable", Map.of());
        browser.call("Network.enable", Map.of());
        browser.call("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("X-Forwarded-For", clientIp)));
        browser.call("Emulation.setDeviceMetricsOverride", Map.of("width", 900, "height", 1000, "deviceScaleFactor", 1, "mobile", false));
        return browser;
    }

    private void receive(String text) {
        try {
            JsonNode message = JSON.readTree(text);
            if (message.has("id")) {
                CompletableFuture<JsonNode> waiting = pending.remove(message.get("id").asInt());
                if (waiting != null) {
                    if (message.has("error")) {
                        waiting.completeExceptionally(new IllegalStateException(message.get("error").toString()));
                    } else {
                        waiting.complete(message.path("result"));
                    }
                }
            } else {
                events.add(message);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One DevTools command and its result. */
    JsonNode call(String method, Map<String, ?> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode command = JSON.createObjectNode().put("id", id).put("method", method);
        command.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(JSON.writeValueAsString(command), true).get(10, TimeUnit.SECONDS);
        return answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The value of a JavaScript expression in the page (DevTools evaluates it; the page's own CSP allows no script). */
    JsonNode eval(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("in-page error: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    private void awaitEvent(Predicate<JsonNode> which) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode event = events.poll(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("the page did not load within " + WAIT);
            }
            if (which.test(event)) {
                return;
            }
        }
    }

    private static boolean loaded(JsonNode event) {
        return "Page.loadEventFired".equals(event.path("method").asText());
    }

    /** Opens {@code url} as typed into the address bar and waits for the page to load. */
    void open(String url) throws Exception {
        events.clear();
        call("Page.navigate", Map.of("url", url));
        awaitEvent(Chromium::loaded);
    }

    /** Clicks the centre of the element {@code selector} names with the mouse, and waits for the page the click loads. */
    void clickAndWait(String selector) throws Exception {
        events.clear();
        click(selector);
        awaitEvent(Chromium::loaded);
    }

    void click(String selector) throws Exception {
        JsonNode box = eval("(() => { const e = document.querySelector(" + quote(selector) + "); if (!e) return null; e.scrollIntoView({block: 'center'});"
                + " const r = e.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        if (box.isNull()) {
            throw new AssertionError("no element " + selector + " on " + url() + ":\n" + text());
        }
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            call("Input.dispatchMouseEvent", Map.of("type", type, "x", box.get("x").asDouble(), "y", box.get("y").asDouble(),
                    "button", "left", "clickCount", 1));
        }
    }

    /** Clicks into the field and types {@code text} into it (after clearing it). */
    void type(String selector, String text) throws Exception {
        click(selector);
        eval("document.querySelector(" + quote(selector) + ").select && document.querySelector(" + quote(selector) + ").select()");
        call("Input.insertText", Map.of("text", text));
    }

    /** Presses a key (Tab, Enter, space) at the focused element. */
    void press(String key) throws Exception {
        String code = switch (key) {
            case "Tab" -> "Tab";
            case "Enter" -> "Enter";
            case " " -> "Space";
            default -> throw new IllegalArgumentException(key);
        };
        int keyCode = switch (key) {
            case "Tab" -> 9;
            case "Enter" -> 13;
            default -> 32;
        };
        Map<String, Object> down = new java.util.HashMap<>(Map.of("type", "keyDown", "key", key, "code", code,
                "windowsVirtualKeyCode", keyCode, "nativeVirtualKeyCode", keyCode));
        if (key.equals("Enter")) {
            down.put("text", "\r");
        } else if (key.equals(" ")) {
            down.put("text", " ");
        }
        call("Input.dispatchKeyEvent", down);
        call("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", key, "code", code, "windowsVirtualKeyCode", keyCode,
                "nativeVirtualKeyCode", keyCode));
    }

    /** Presses Enter and waits for the page the submitted form loads. */
    void pressEnterAndWait() throws Exception {
        events.clear();
        press("Enter");
        awaitEvent(Chromium::loaded);
    }

    /** What the focused element is, as {@code tag#id} or {@code tag[name]}, for following the keyboard's path. */
    String focused() throws Exception {
        return eval("(() => { const e = document.activeElement; if (!e) return ''; return e.tagName.toLowerCase()"
                + " + (e.id ? '#' + e.id : '') + (e.type ? '[' + e.type + ']' : ''); })()").asText();
    }

    String url() throws Exception {
        return eval("location.href").asText();
    }

    String title() throws Exception {
        return eval("document.title").asText();
    }

    /** The page's text as a person reads it. */
    String text() throws Exception {
        return eval("document.body ? document.body.innerText : ''").asText();
    }

    /** Waits until the page's text contains {@code wanted} (a page that reloads itself, say). */
    void awaitText(String wanted, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (text().contains(wanted)) {
                    return;
                }
            } catch (IllegalStateException navigating) {
                // the page was being replaced by its reload
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no '" + wanted + "' on " + url() + " within " + timeout + ":\n" + text());
            }
            Thread.sleep(250);
        }
    }

    /** A PNG of the whole page, saved as {@code <name>.png} beside the other screenshots. */
    Path screenshot(String name) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Path file = screenshots.resolve(name + ".png");
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
        return file;
    }

    /** The in-page accessibility check ({@link Accessibility}): its violations, each a line. */
    List<String> accessibilityViolations() throws Exception {
        JsonNode found = eval(Accessibility.SCRIPT);
        List<String> out = new ArrayList<>();
        found.forEach(v -> out.add(v.path("impact").asText() + " " + v.path("rule").asText() + ": " + v.path("target").asText()
                + " (" + v.path("detail").asText() + ")"));
        return out;
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the browser goes anyway
        }
        // chromium's helpers (network, GPU, renderer) outlive the main process for a moment and still write
        // into the profile; stop the whole tree and wait for each before the profile goes
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle helper : tree) {
                try {
                    helper.onExit().get(5, TimeUnit.SECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    helper.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteProfile();
    }

    /** Removes the temporary profile; a file that vanishes while the tree is walked is already gone, which is the aim. */
    private void deleteProfile() {
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                return;
            } catch (IOException | UncheckedIOException e) {
                // a file went between listing and visiting it: walk again
            }
        }
    }
}
