using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Baton.Telemetry;

namespace Baton.Cli;

/// <summary>
/// Sends Baton's spans and metrics over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; when it is not, nothing is
/// created and nothing listens, so telemetry costs nothing. The exporter reads the standard <c>OTEL_EXPORTER_OTLP_*</c>
/// and <c>OTEL_SERVICE_NAME</c> variables itself.
/// </summary>
internal static class OtlpExport
{
    /// <summary>The variable that turns export on.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private static readonly Lock Gate = new();
    private static TracerProvider? _tracing;
    private static MeterProvider? _metrics;

    /// <summary>Starts exporting, once per process, if the endpoint is set; the rest is flushed when the process exits.</summary>
    public static void StartIfConfigured()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable))) return;
        lock (Gate)
        {
            if (_tracing is not null) return;
            var resource = ResourceBuilder.CreateDefault();
            // The default service name is "unknown_service:<process>"; an operator's OTEL_SERVICE_NAME wins over ours.
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME"))) resource.AddService("baton");
            _tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(BatonTelemetry.Name).AddOtlpExporter().Build();
            _metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(BatonTelemetry.Name).AddOtlpExporter().Build();
            // A command's run ends with the process: batched spans and the last metrics must go out before it does.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Flush();
        }
    }

    /// <summary>Sends what is buffered and stops exporting.</summary>
    public static void Flush()
    {
        lock (Gate)
        {
            _tracing?.Dispose();
            _metrics?.Dispose();
            _tracing = null;
            _metrics = null;
        }
    }
}
