namespace Optimizer.Passes.Schema;

/// <summary>What kind of value a pass option holds; from the attribute property's type.</summary>
public enum OptionKind
{
    /// <summary>A path relative to the project folder (a data file or a teacher model).</summary>
    Path,

    /// <summary>A number with an allowed range (<see cref="OptionDescriptor.IsInteger"/> for whole numbers).</summary>
    Number,

    /// <summary>A member of one of Optimizer.Runtime's enums.</summary>
    Enum,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>Free text passed through (e.g. Prune.Exclude's layer names).</summary>
    Text,
}
