using System.Text;

namespace Optimizer.Passes.Schema;

/// <summary>
/// The pass schema as Markdown, one table per pass: what <c>onnx-opt passes --markdown</c> prints and
/// the README's option reference holds (a test keeps the two equal).
/// </summary>
public static class SchemaMarkdown
{
    public static string Render()
    {
        var text = new StringBuilder();
        foreach (var pass in PassSchema.Declarable)
        {
            text.Append("#### `").Append(pass.Name).Append("` (").Append(pass.IsCheck ? "check" : pass.StageName.ToLowerInvariant() + " stage")
                .Append(pass.Package is { } package ? ", package `" + package + "`" : "").Append(")\n\n")
                .Append(pass.Summary).Append("\n\n")
                .Append("| option | values | default | item metadata | summary |\n|---|---|---|---|---|\n");
            foreach (var option in pass.Options)
            {
                var applies = option.AppliesTo.Count == 0 ? "" : $" ({option.AppliesToOption}={string.Join("\\|", option.AppliesTo)} only)";
                text.Append("| `").Append(option.Name).Append('`').Append(option.IsCheck ? " (check)" : "")
                    .Append(" | ").Append(option.AllowedText.Replace("|", "\\|"))
                    .Append(" | ").Append(option.DefaultText is { } d ? "`" + d + "`" : "—")
                    .Append(" | ").Append(option.ItemMetadata is { } m ? "`" + m + "`" : "—")
                    .Append(" | ").Append(option.Summary).Append(applies).Append(" |\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
