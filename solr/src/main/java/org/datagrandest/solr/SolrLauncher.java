package org.datagrandest.solr;

import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Properties;
import javax.servlet.DispatcherType;
import javax.servlet.ServletContext;
import javax.servlet.ServletContextEvent;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.servlet.CoreContainerProvider;
import org.apache.solr.servlet.SolrDispatchFilter;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a real, standalone (non-cloud) Solr node inside an embedded Jetty, the same way Solr's own
 * server does it: a {@link CoreContainerProvider} servlet-context listener creates the {@link
 * CoreContainer} from the Solr home, and {@link SolrDispatchFilter} serves every request under the
 * {@code /solr} context. Only HTTP/1.1 on 127.0.0.1 is exposed.
 *
 * <p>Usage: {@code java -jar dge-solr.jar --home DIR [--port N]}. The same settings can be given
 * as system properties {@code solr.solr.home} and {@code jetty.port}. The process exits non-zero
 * if the port cannot be bound or if any core fails to load, so a supervising script notices.
 */
public final class SolrLauncher {

  private static final Logger log = LoggerFactory.getLogger(MethodHandles.lookup().lookupClass());

  /**
   * Jersey (Solr's v2 API) logs through java.util.logging straight to stderr, e.g. a WARNING about
   * the absent optional jakarta.activation provider. Keep only its errors; the strong reference
   * stops the JUL logger (and its level) from being garbage-collected.
   */
  private static final java.util.logging.Logger JERSEY_JUL =
      java.util.logging.Logger.getLogger("org.glassfish.jersey");

  static {
    JERSEY_JUL.setLevel(java.util.logging.Level.SEVERE);
  }

  static final String HOST = "127.0.0.1";
  static final String CONTEXT = "/solr";
  static final int DEFAULT_PORT = 8984;
  static final long CORE_LOAD_TIMEOUT_MS = 300_000L;

  private SolrLauncher() {}

  public static void main(String[] args) {
    int port = Integer.getInteger("jetty.port", DEFAULT_PORT);
    String home = System.getProperty("solr.solr.home");

    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (("--port".equals(a) || "-p".equals(a)) && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else if (("--home".equals(a) || "-s".equals(a)) && i + 1 < args.length) {
        home = args[++i];
      } else if ("--help".equals(a) || "-h".equals(a)) {
        System.out.println("usage: java -jar dge-solr.jar --home SOLR_HOME [--port PORT]");
        return;
      } else {
        System.err.println("dge-solr: unknown argument: " + a);
        System.exit(64);
      }
    }
    if (home == null) {
      System.err.println("dge-solr: --home SOLR_HOME (or -Dsolr.solr.home) is required");
      System.exit(64);
    }
    Path homePath = Path.of(home).toAbsolutePath().normalize();
    if (!Files.isRegularFile(homePath.resolve("solr.xml"))) {
      System.err.println("dge-solr: no solr.xml in Solr home " + homePath);
      System.exit(66);
    }

    try {
      run(homePath, port);
    } catch (Throwable t) {
      log.error("Solr launcher failed: {}", t.toString(), t);
      System.exit(1);
    }
  }

  private static void run(Path home, int port) throws Exception {
    // Read by Solr for its banner, node name and paths; mirror what bin/solr sets.
    System.setProperty("jetty.port", Integer.toString(port));
    System.setProperty("jetty.host", HOST);
    System.setProperty("host", HOST);
    System.setProperty("solr.solr.home", home.toString());
    // There is no Solr install tree; point solr.install.dir at the home so Solr stops warning
    // (it only looks for an optional <install>/lib and <install>/modules, which do not exist).
    if (System.getProperty("solr.install.dir") == null) {
      System.setProperty("solr.install.dir", home.toString());
    }

    QueuedThreadPool threads = new QueuedThreadPool(200, 4);
    threads.setName("solr-jetty");
    Server server = new Server(threads);
    server.setStopAtShutdown(true); // SIGTERM -> Jetty stop -> CoreContainer shutdown
    server.setStopTimeout(15_000);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setRequestHeaderSize(64 * 1024); // long GET queries (many fq / ids)
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(HOST);
    connector.setPort(port);
    connector.setReuseAddress(true);
    connector.setIdleTimeout(120_000);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath(CONTEXT);
    final Properties nodeProperties = new Properties();
    final String homeStr = home.toString();
    final int finalPort = port;
    context.addEventListener(
        new CoreContainerProvider() {
          @Override
          public void contextInitialized(ServletContextEvent event) {
            ServletContext sc = event.getServletContext();
            nodeProperties.setProperty("hostPort", Integer.toString(finalPort));
            nodeProperties.setProperty("hostContext", CONTEXT);
            sc.setAttribute(SolrDispatchFilter.PROPERTIES_ATTRIBUTE, nodeProperties);
            sc.setAttribute(SolrDispatchFilter.SOLRHOME_ATTRIBUTE, homeStr);
            super.contextInitialized(event);
          }
        });
    FilterHolder dispatch = new FilterHolder(SolrDispatchFilter.class);
    dispatch.setName("SolrRequestFilter");
    context.addFilter(dispatch, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder("default", new NotFoundServlet()), "/");
    server.setHandler(context);

    long t0 = System.nanoTime();
    server.start(); // throws (e.g. BindException) if the port is taken

    CoreContainer cores;
    try {
      cores = ((SolrDispatchFilter) dispatch.getFilter()).getCores();
    } catch (Exception e) {
      fail(server, "CoreContainer did not start (see errors above)");
      return;
    }
    cores.waitForLoadingCoresToFinish(CORE_LOAD_TIMEOUT_MS);
    Map<String, CoreContainer.CoreLoadFailure> failures = cores.getCoreInitFailures();
    if (!failures.isEmpty()) {
      failures.forEach(
          (name, f) -> log.error("Core '{}' failed to load: {}", name, f.exception.toString()));
      fail(server, "core(s) failed to load: " + failures.keySet());
      return;
    }
    if (cores.getLoadedCoreNames().isEmpty()) {
      log.warn("No core found under {} (expected <home>/<core>/core.properties)", home);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    log.info(
        "DGE Solr ready in {} ms: http://{}:{}{} home={} cores={}",
        ms,
        HOST,
        connector.getLocalPort(),
        CONTEXT,
        home,
        cores.getLoadedCoreNames());
    server.join();
  }

  private static void fail(Server server, String why) {
    log.error("Solr launcher: {}; shutting down", why);
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("error while stopping Jetty", e);
    }
    System.exit(2);
  }

  /** Fall-through for paths the Solr filter does not handle (as in Solr's own web.xml). */
  static final class NotFoundServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
        throws java.io.IOException {
      resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not Found");
    }
  }
}
