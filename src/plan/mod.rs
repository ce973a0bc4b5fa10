//! Resolved queries → DataFusion logical plans. The only module that builds plans.
