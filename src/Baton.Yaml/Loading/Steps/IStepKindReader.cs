using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>Reads the value of one pattern key (<c>sequential</c>, <c>graph</c>...) into its definition, reporting every problem at its position.</summary>
internal interface IStepKindReader
{
    /// <summary>The pattern key it reads.</summary>
    string Keyword { get; }

    /// <summary>Keys the step may have beside the pattern key and the common options (<c>start</c> for <c>states</c>).</summary>
    IReadOnlyCollection<string> SiblingKeys { get; }

    /// <summary>The step's definition, without its id and common options; null when it is invalid (the problems are reported).</summary>
    /// <param name="steps">Reads nested steps and records references.</param>
    /// <param name="value">The pattern key's value.</param>
    /// <param name="keys">Every key of the step, for the sibling keys.</param>
    StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys);
}
