using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton;

/// <summary>
/// Source-generated contracts for the payloads Baton's own steps write and read (questions, tallies, route briefs and
/// verdicts, errors), with <see cref="Payload"/>'s default options. They come first in those options' resolver, so
/// these payloads need no reflection: the native build of the command (docs/cli.md) runs them as compiled, and a
/// process starts faster. Any other type still goes by reflection.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HumanQuestion))]
[JsonSerializable(typeof(VoteTally))]
[JsonSerializable(typeof(TalliedAnswer))]
[JsonSerializable(typeof(RouteTask))]
[JsonSerializable(typeof(RouteAnswer))]
[JsonSerializable(typeof(RouteVerdict))]
[JsonSerializable(typeof(List<Rejection>))]
[JsonSerializable(typeof(StepError.ErrorView))]
[JsonSerializable(typeof(double))]
internal sealed partial class BuiltInPayloadJsonContext : JsonSerializerContext;
