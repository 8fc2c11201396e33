package encore.archfixture;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** Breaks HTTP_SERVER_AND_JACKSON_ONLY_IN_SERVE: an HTTP handler outside encore.serve. */
public final class PlantedHttpServerUse implements HttpHandler {
    @Override
    public void handle(HttpExchange exchange) {
        exchange.close();
    }
}
