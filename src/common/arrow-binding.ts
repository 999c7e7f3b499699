/**
 * Hands apache-arrow to types.ts (toArrowType, fromArrowField, …), which does not import it itself so
 * that the parser and planner, which use only SQL types, never load it. Every module calling those
 * functions imports this one first (`import './arrow-binding.js'`).
 */
import * as arrow from 'apache-arrow';
import { bindArrow } from './types.js';

bindArrow(arrow);
