using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton.AI.Planning;

/// <summary>
/// Source-generated contract of a plan's JSON form, written with the options of every other payload (web names,
/// readable escaping), so a plan needs no reflection (the native build of the command runs it as compiled).
/// </summary>
[JsonSerializable(typeof(Plan.PlanJson))]
internal sealed partial class PlanJsonContext : JsonSerializerContext
{
    /// <summary>The contract with the payloads' options.</summary>
    public static PlanJsonContext Web { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
