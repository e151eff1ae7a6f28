namespace Optimizer.Runtime;

// The pass attributes are public API here and internal where the pass schema compiles these files in
// (Optimizer.Passes and the build task define OPTIMIZER_SCHEMA_COPY): each attribute file leaves its
// accessibility to this one place.
#if OPTIMIZER_SCHEMA_COPY
internal partial class AccuracyBudgetAttribute;
internal partial class DistillAttribute;
internal partial class FineTuneAttribute;
internal partial class PruneAttribute;
internal partial class QuantizeAttribute;
internal partial class SymbolicDimsAttribute;
#else
public partial class AccuracyBudgetAttribute;
public partial class DistillAttribute;
public partial class FineTuneAttribute;
public partial class PruneAttribute;
public partial class QuantizeAttribute;
public partial class SymbolicDimsAttribute;
#endif
