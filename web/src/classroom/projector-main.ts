// The projector page (/classroom/projector, and /classroom/follow for learners).
import '../styles/theme.css';
import './classroom-projector.ts';
